from forum.selectors.discussion import unread_notification_count


def notifications(request):
    """The unread count in the header, for members."""
    if not request.user.is_authenticated:
        return {}
    return {"unread_notifications": unread_notification_count(request.user)}
