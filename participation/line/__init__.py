"""LINE: residents link their LINE account (LINE Login) and hear their notifications from the
municipality's LINE Official Account (the Messaging API); docs/notifications.md, "LINE"."""
