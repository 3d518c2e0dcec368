from django.shortcuts import render


def page(request):
    return render(request, "bare.html", {"title": "A bare Django page", "items": range(10)})
