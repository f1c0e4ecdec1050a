"""Staff pages (Bộ phận Một cửa). Views are thin: they call dossier services and selectors."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "backoffice/home.html")
