"""The test provider's sign-in page (stands in for VNeID's)."""

from django.contrib.auth import login
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse, HttpResponseRedirect
from django.template import engines
from django.utils.http import url_has_allowed_host_and_scheme

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Định danh điện tử (thử nghiệm)</title></head>
<body><main>
<h1>Nhà cung cấp định danh thử nghiệm</h1>
{% if form.errors %}<p role="alert">Sai tên đăng nhập hoặc mật khẩu.</p>{% endif %}
<form method="post">{% csrf_token %}
  <label for="u">Số định danh hoặc tên đăng nhập</label><input id="u" name="username" autocomplete="username">
  <label for="p">Mật khẩu VNeID</label><input id="p" name="password" type="password">
  <input type="hidden" name="next" value="{{ next }}">
  <button type="submit">Xác nhận đăng nhập</button>
</form>
</main></body></html>"""


def provider_login(request):
    form = AuthenticationForm(request, data=request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST" and form.is_valid():
        login(request, form.get_user())
        return HttpResponseRedirect(next_url)
    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render({"form": form, "next": next_url}, request))
