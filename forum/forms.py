from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, UserCreationForm
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from forum.client_ip import client_ip
from forum.models import Ballot, Classroom, Factor, Flag, Prompt, Restriction, Topic, User
from forum.models.discussion import BODY_MAX_LENGTH
from forum.ratelimit import in_words, seconds_until_allowed
from forum.selectors.search import MAX_QUERY_LENGTH
from forum.services.accounts import active_restriction
from forum.validators import refuse_control_characters


def text_field(model, name: str, **kwargs) -> forms.CharField:
    """A text box for what `model.name` stores: its column's max_length, no control characters.

    Required unless the column may be blank; other arguments are the CharField's.
    """
    column = model._meta.get_field(name)
    kwargs.setdefault("required", not column.blank)
    return forms.CharField(max_length=column.max_length, validators=[refuse_control_characters], **kwargs)


class TextRulesMixin:
    """A model form's text boxes refuse control characters too (passwords aside: they are never shown)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if type(field) is forms.CharField and not isinstance(field.widget, forms.PasswordInput):
                field.validators.append(refuse_control_characters)


class EmailUniqueMixin:
    """Two accounts may not share an email: a password reset must reach exactly one."""

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if email and others.exists():
            raise forms.ValidationError(_("An account with this email already exists."), code="email_taken")
        return email


class AddressCeilingMixin:
    """Refuse a login, before any password is checked, from an address with too many recent failures."""

    def clean(self):
        if self.request is not None and (wait := seconds_until_allowed("login_failure", client_ip(self.request))):
            raise forms.ValidationError(
                _(
                    "Too many failed logins from your network: %(limit)s in %(minutes)s minutes. Logins from here "
                    "are paused; please wait %(wait)s, then try again."
                ),
                code="address_paused",
                params={
                    "limit": settings.LOGIN_FAILURES_PER_ADDRESS,
                    "wait": in_words(wait),
                    "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
                },
            )
        return super().clean()


class UsernameLengthMixin:
    """Django's login form puts the username's max_length on the box but never checks it: a longer one
    reached authenticate(), and django-axes logs failures in a 255-character column (a 500 on PostgreSQL,
    jazzband/django-axes#1381). Here it is refused like any other bad input."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators += [MaxLengthValidator(username.max_length), refuse_control_characters]


class LoginForm(UsernameLengthMixin, AddressCeilingMixin, AuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        restriction = active_restriction(user)
        if restriction is not None and restriction.kind == Restriction.Kind.SUSPEND:
            raise forms.ValidationError(restriction.explanation, code="suspended")


class AdminLoginForm(UsernameLengthMixin, AddressCeilingMixin, AdminAuthenticationForm):
    """The admin's login, under the same ceiling: spraying passwords there is refused too."""


class SignupForm(TextRulesMixin, EmailUniqueMixin, UserCreationForm):
    email = forms.EmailField(
        label=_("Email"), required=True, help_text=_("Used only to reset your password; never shown.")
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "email", "display_name"]
        labels = {"display_name": _("Display name")}


class AccountSettingsForm(TextRulesMixin, EmailUniqueMixin, forms.ModelForm):
    email = forms.EmailField(
        label=_("Email"), required=False, help_text=_("Used only to reset your password; never shown.")
    )

    class Meta:
        model = User
        fields = ["display_name", "email", "email_on_reply"]
        labels = {"display_name": _("Display name")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.is_class_account:
            # A pupil's public name (first name and initial) is their teacher's to change: private by default.
            del self.fields["display_name"]


class CommentBodyField(forms.CharField):
    """The text box of a comment. Its rules live in services.discussion.clean_body."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Your comment"))
        super().__init__(
            required=False,
            strip=False,
            validators=[refuse_control_characters],
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": BODY_MAX_LENGTH}),
            help_text=_("Markdown: *emphasis*, **bold**, [links](https://…), - lists, > quotes, `code`."),
            **kwargs,
        )


class CommentForm(forms.Form):
    body = CommentBodyField()
    anchor = forms.TypedChoiceField(label=_("About (optional)"), required=False, coerce=int, empty_value=None)
    prompt = forms.TypedChoiceField(label=_("Answering (optional)"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, subsections=(), prompts=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Choices from the page's own lists: no query of their own.
        self.choices = {"anchor": {sub.pk: sub for sub in subsections}, "prompt": {p.pk: p for p in prompts}}
        self.fields["anchor"].choices = [("", _("The topic as a whole"))] + [(s.pk, s.title) for s in subsections]
        self.fields["prompt"].choices = [("", _("No prompt"))] + [(p.pk, p.text) for p in prompts]
        for name, options in self.choices.items():
            if not options:
                del self.fields[name]

    def clean_anchor(self):
        return self.choices["anchor"].get(self.cleaned_data.get("anchor"))

    def clean_prompt(self):
        return self.choices["prompt"].get(self.cleaned_data.get("prompt"))


class ReplyForm(forms.Form):
    body = CommentBodyField(label=_("Your reply"))


class EditForm(forms.Form):
    body = CommentBodyField(label=_("Edit your comment"))


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong with it?"), choices=Flag.Reason.choices, widget=forms.RadioSelect)
    note = text_field(Flag, "note", label=_("Note for the moderators"), help_text=_("Required for “Something else”."))


class BallotForm(forms.Form):
    """A rank box per factor (blank: not ranked), so the ballot works without JavaScript."""

    reason = text_field(Ballot, "reason", label=_("Why does your first choice come first? (optional)"))

    def __init__(self, *args, factors, **kwargs):
        super().__init__(*args, **kwargs)
        self.factors = [factor for factor, _ in factors]
        for factor, rank in factors:
            self.fields[self.field_name(factor)] = forms.IntegerField(
                label=factor.name,
                help_text=factor.description,
                required=False,
                min_value=1,
                max_value=len(factors),
                initial=rank,
                error_messages={"invalid": _("Enter a whole number, or leave it blank.")},
            )
        self.order_fields([self.field_name(factor) for factor in self.factors] + ["reason"])

    @staticmethod
    def field_name(factor) -> str:
        return f"rank_{factor.pk}"

    def rank_fields(self):
        return [self[self.field_name(factor)] for factor in self.factors]

    def clean(self):
        cleaned = super().clean()
        if any(self.field_name(factor) in self.errors for factor in self.factors):
            return cleaned
        ranks = {factor: cleaned.get(self.field_name(factor)) for factor in self.factors}
        ranks = {factor: rank for factor, rank in ranks.items() if rank is not None}
        if not ranks:
            raise forms.ValidationError(
                _("Rank at least one factor: give the one that matters most rank 1."), code="empty"
            )
        values = sorted(ranks.values())
        if tied := sorted({rank for rank in values if values.count(rank) > 1}):
            raise forms.ValidationError(
                _("Two factors share rank %(rank)s: give each factor its own rank."),
                code="tie",
                params={"rank": tied[0]},
            )
        if values != list(range(1, len(values) + 1)):
            missing = next(rank for rank in range(1, len(values) + 1) if rank not in values)
            raise forms.ValidationError(
                _("Ranks must run 1, 2, 3… without gaps: rank %(rank)s is missing."),
                code="gap",
                params={"rank": missing},
            )
        cleaned["ranking"] = sorted(ranks, key=ranks.get)
        return cleaned


class ProposeFactorForm(forms.Form):
    name = text_field(Factor, "name", label=_("Name"), help_text=_("A few words, e.g. “Energy markets”."))
    description = text_field(
        Factor,
        "description",
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One line: what it is and why it may matter for the talks."),
    )


class ClassForm(forms.Form):
    name = text_field(
        Classroom, "name", label=_("Name"), help_text=_("As your students know it, e.g. “10B” or “Year 11 history”.")
    )
    article = forms.ModelChoiceField(
        queryset=None, empty_label=None, label=_("Article"), help_text=_("The article the class discusses.")
    )

    def __init__(self, *args, articles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = articles


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Join code"),
        max_length=20,
        help_text=_("6 to 8 letters and digits, from your teacher."),
        validators=[refuse_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class PromptForm(forms.Form):
    text = text_field(Prompt, "text", label=_("Your own prompt"), required=False)
    faq = forms.ModelChoiceField(label=_("…or a question from the FAQ"), queryset=None, required=False)
    topic = forms.ModelChoiceField(
        label=_("On the topic"), queryset=None, required=False, empty_label=_("Every topic of the class")
    )

    def __init__(self, *args, faqs, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["faq"].queryset = faqs
        self.fields["topic"].queryset = topics


class RemovePromptForm(forms.Form):
    """Which of the class's prompts to remove: an id that is not one of them is an error, never a crash."""

    remove = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, prompts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"].queryset = prompts


class PupilAccountsForm(forms.Form):
    names = forms.CharField(
        label=_("Pupils' names, one per line"),
        widget=forms.Textarea(attrs={"rows": 8}),
        validators=[refuse_control_characters],
        help_text=_(
            "Up to 40. Each gets a username and a one-time password on a sheet you can print, shown once; "
            "they choose their own password at first login. No email is needed."
        ),
    )

    def clean_names(self):
        return [line for line in self.cleaned_data["names"].splitlines() if line.strip()]


class ChoosePasswordForm(PasswordChangeForm):
    """Django's password change, which also ends "choose a new password at first login"."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user.must_change_password = False
        if commit:
            user.save()
        return user


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What is this token for?"),
        max_length=60,
        validators=[refuse_control_characters],
        help_text=_("A name to tell your tokens apart, such as “class tools” or “my script”."),
    )


class GradingRuleForm(forms.Form):
    """What counts as taking part, for the scores sent to a course's gradebook (forum/services/lti.py)."""

    count_ranked_before = forms.BooleanField(label=_("Ranked before the discussion"), required=False)
    count_ranked_after = forms.BooleanField(label=_("Ranked again after the discussion"), required=False)
    min_comments = forms.IntegerField(
        label=_("At least this many comments"), min_value=0, max_value=50, help_text=_("0: comments do not count.")
    )
    min_replies = forms.IntegerField(
        label=_("At least this many replies"), min_value=0, max_value=50, help_text=_("0: replies do not count.")
    )
    send_at_phase_end = forms.BooleanField(
        label=_("Also send the scores each time the lesson moves to its next phase"), required=False
    )

    @classmethod
    def for_course(cls, course, data=None):
        fields = ["count_ranked_before", "count_ranked_after", "min_comments", "min_replies", "send_at_phase_end"]
        return cls(data, initial={name: getattr(course, name) for name in fields})


class DeepLinkForm(forms.Form):
    target = forms.ChoiceField(label=_("What the course's activity opens"), widget=forms.RadioSelect)

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets
        self.fields["target"].initial = targets[0][0] if targets else None


class SearchForm(forms.Form):
    """The search box and its filters: a GET form, so every field is optional and a wrong one only says so."""

    q = forms.CharField(
        label=_("Search for"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        strip=True,
        validators=[refuse_control_characters],
        error_messages={
            "max_length": _("Keep the search under %(limit_value)d characters."),
        },
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=_("Any topic"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("Pick a topic from the list.")},
    )
    author = forms.CharField(
        label=_("Author"),
        required=False,
        max_length=150,
        validators=[refuse_control_characters],
        help_text=_("The name shown beside their comments."),
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(article__is_published=True).only(
            "id", "article_id", "position", "title"
        )
        for name in ("q", "author"):  # refuse_control_characters says it once, NUL included
            field = self.fields[name]
            field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The “from” date must come before the “to” date."), code="dates_reversed")
        return cleaned
