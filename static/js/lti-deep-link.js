// The signed deep linking answer goes straight back to the learning platform (templates/forum/lti/deep_link_return.html).
document.getElementById("lti-deep-link-return")?.submit();
