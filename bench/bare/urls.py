from django.urls import path

from bare.views import page

urlpatterns = [path("", page)]
