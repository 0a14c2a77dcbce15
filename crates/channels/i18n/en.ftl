# What a channel says (Telegram, e-mail, webhooks' text): one short message per event.

word-maintenance = Planned maintenance
word-info = News
word-red = Outage
word-yellow = Problems
word-green = Working
state-investigating = investigating
state-identified = cause found, fixing
state-monitoring = fixed, monitoring
state-resolved = resolved
state-scheduled = scheduled
state-in-progress = in progress
state-completed = completed
state-withdrawn = withdrawn
state-published = published
headline-update = Update
word-maintenance-completed = Maintenance completed
word-news-removed = Taken down
word-resolved = Resolved
word-withdrawn = Notice withdrawn
line-withdrawn-why = It was posted by mistake.
draft-not-seen = Employees do not see this yet: a draft waits in the console to be checked and published.
word-draft = Draft
headline-from-monitoring = From monitoring
line-when = When
line-status = Status
line-next-update = Next update by
line-details = Details

# Dates on another day: "2 Dec 03:30 (UTC+5:30)".
month-1 = Jan
month-2 = Feb
month-3 = Mar
month-4 = Apr
month-5 = May
month-6 = Jun
month-7 = Jul
month-8 = Aug
month-9 = Sep
month-10 = Oct
month-11 = Nov
month-12 = Dec
zone-moscow = Moscow

# The test message a channel check sends.
test-word = Test
test-product = Svetofor
test-body = This is a test message: the channel works.
