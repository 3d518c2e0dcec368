from django import forms
from django.contrib.auth.forms import UserCreationForm

from forum.models import User


class EmailUniqueMixin:
    """Two accounts may not share an email: a password reset must reach exactly one."""

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if email and others.exists():
            raise forms.ValidationError("An account with this email already exists.", code="email_taken")
        return email


class SignupForm(EmailUniqueMixin, UserCreationForm):
    email = forms.EmailField(required=True, help_text="Used only to reset your password; never shown.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email", "display_name"]


class AccountSettingsForm(EmailUniqueMixin, forms.ModelForm):
    email = forms.EmailField(required=False, help_text="Used only to reset your password; never shown.")

    class Meta:
        model = User
        fields = ["display_name", "email"]
