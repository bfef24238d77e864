"""Reminders that reach people: the notifier.

Events on the bus (a missing entry, a review assigned or overdue, a case opened, an audit drawn) become
notices for the people they concern, kept in the outbox; a morning run on working days sends each
person one digest of what they owe and what waits for them, through their channel (SMS, e-mail,
WeCom or DingTalk robot) and always into the app's inbox. Urgent notices go out at once in daytime.
docs/notifications.md tells the whole story.
"""
