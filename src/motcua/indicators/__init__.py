"""Decision 766/QĐ-TTg index: scoring profiles (data), a pure engine and selectors over dossier facts.

This app has no models: it reads ``dossiers``, ``catalog`` and ``org`` tables (design §3 rule 1:
``indicators`` sits on top of the domain apps).
"""
