from django.urls import path

from forum.views import accounts, content

app_name = "forum"

urlpatterns = [
    path("", content.home, name="home"),
    path("articles/<slug:article>/", content.article_detail, name="article"),
    path("articles/<slug:article>/faq/", content.faq, name="faq"),
    path("articles/<slug:article>/topics/<slug:topic>/", content.topic, name="topic"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/settings/", accounts.account_settings, name="account_settings"),
    path("members/<str:username>/", accounts.profile, name="profile"),
]
