"""Claims of the test provider, shaped like a national identity provider's: name, e-mail and
the personal identification number under a provider-specific claim name."""

from oauth2_provider.oauth2_validators import OAuth2Validator

from . import IDENTITY_CLAIM


class IdentityProviderValidator(OAuth2Validator):
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope, IDENTITY_CLAIM: "profile"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "name": user.full_name,
            "email": user.email,
            "email_verified": True,
            IDENTITY_CLAIM: user.id_number,
        }
