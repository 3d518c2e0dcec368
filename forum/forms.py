from django import forms
from django.contrib.auth.forms import UserCreationForm

from forum.models import Flag, User
from forum.models.discussion import BODY_MAX_LENGTH


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
        fields = ["display_name", "email", "email_on_reply"]


class CommentBodyField(forms.CharField):
    """The text box of a comment. Its rules live in services.discussion.clean_body."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Your comment")
        super().__init__(
            required=False, strip=False,
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": BODY_MAX_LENGTH}),
            help_text="Markdown: *emphasis*, **bold**, [links](https://…), - lists, > quotes, `code`.",
            **kwargs,
        )


class CommentForm(forms.Form):
    body = CommentBodyField()
    anchor = forms.TypedChoiceField(label="About (optional)", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, subsections=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Choices from the page's own list of subsections: no query of its own.
        self.subsections = {sub.pk: sub for sub in subsections}
        self.fields["anchor"].choices = [("", "The topic as a whole")] + [
            (sub.pk, sub.title) for sub in subsections
        ]
        if not subsections:
            del self.fields["anchor"]

    def clean_anchor(self):
        return self.subsections.get(self.cleaned_data.get("anchor"))


class ReplyForm(forms.Form):
    body = CommentBodyField(label="Your reply")


class EditForm(forms.Form):
    body = CommentBodyField(label="Edit your comment")


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label="What is wrong with it?", choices=Flag.Reason.choices,
                               widget=forms.RadioSelect)
    note = forms.CharField(label="Note for the moderators", required=False, max_length=500,
                           help_text="Required for “Something else”.")
