# Svetofor, English. Every string the desktop app shows: tray menu, banner, details,
# notifications, pages. Keys and variables must match ru.ftl (a test checks).

## Words for a notice and for the overall status
word-cancelled = Cancelled
word-outage = Outage
word-degraded = Degraded
word-maintenance = Maintenance
word-planned-maintenance = Planned maintenance
word-news = News
word-resolved = Resolved
word-maintenance-completed = Maintenance completed
word-news-removed = Taken down
word-withdrawn = Withdrawn
status-red = Outage
status-yellow = Problems
status-green = All systems working
status-unknown = Status unknown

## States in a timeline
state-published = Published
state-cancelled = Cancelled
state-investigating = Investigating
state-identified = Identified
state-monitoring = Monitoring
state-resolved = Resolved
state-scheduled = Scheduled
state-in-progress = In progress
state-completed = Completed
state-withdrawn = Withdrawn

## Times
duration-minutes = { $n } min
duration-hours = { $m ->
    [0] { $h } h
   *[other] { $h } h { $m } min
}
duration-days = { $n ->
    [one] { $n } day
   *[other] { $n } days
}
span = { $from }–{ $to } ({ $duration })
window = { $from }–{ $to }
window-open = from { $from }
still-in-effect = { $n ->
    [one] 1 more problem still on
   *[other] { $n } more problems still on
}
time-today = { $time }
time-other-day = { $day } { $month } { $time }
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
age-just-now = just now
age-minutes = { $n } min ago
age-hours = { $n } h ago
age-days = { $n ->
    [one] { $n } day ago
   *[other] { $n } days ago
}
since = since { $time }
until = until { $time }
at = { $today ->
    [yes] at { $time }
   *[no] on { $time }
}
next-update = next update by { $time }
update-overdue = update overdue (promised by { $time })
more = +{ $n } more

## Tray
tray-upcoming = { $word }: { $title } — { $window }
tray-unreachable = The status server cannot be reached yet.
tray-tooltip-title = Svetofor
problem-engine = Svetofor cannot check the status on this computer ({ $detail }). Tell your administrator.
problem-policy = Your administrator's settings on this computer have an error, so the status is not being updated. Tell your administrator.
problem-user-settings = Your settings file has an error; the defaults are used until it is fixed.
diagnostics-copied = Report for support copied
diagnostics-copied-body = Paste it into your message to support.
tray-waiting = Status unknown: waiting for the feed…
tray-status = { $word }: { $title } — { $since }
tray-status-more = { $word }: { $title } ({ $more }) — { $since }
tray-status-news = { $status } — { $word }: { $title }
tray-stale = Status as of { $time } ({ $age }), feed unreachable
tray-notice = { $word }: { $title }
tray-tooltip = Svetofor — { $status }
menu-show-banner = Show banner
menu-hide-banner = Hide banner
menu-details = Details…
menu-settings = Settings…
menu-pause = Pause notifications for 1 hour
menu-resume = Resume notifications (paused until { $time })
menu-diagnostics = Copy report for support
menu-quit = Quit Svetofor
problem-no-feed = No status feed is set up. Ask your administrator.

## Notifications
notify-planned-when = Planned for { $window }
notify-maintenance-until = Until { $time }
notify-maintenance-open = No planned end
notify-summary = { $word }: { $title }
notify-maintenance-started = Maintenance started
notify-maintenance-extended = Maintenance extended
notify-now-outage = Now an outage
notify-worse = Worse
notify-withdrawn = Notice withdrawn
notify-withdrawn-why = It was posted by mistake.
notify-outage-update = Outage update
notify-action-details = Details

## Details window
details-source = “{ $feed }” ({ $url }): status received { $today ->
    [yes] at { $time }
   *[no] on { $time }
} ({ $age }), { $how }.
details-feed = Service status
details-how-live = confirmed just now
details-how-cached = from the copy saved on this computer
details-how-stale = not confirmed since
details-no-status = No status received yet.
details-now-unknown = Status unknown: no verified status has arrived yet, so problems cannot be ruled out. If this lasts, tell your administrator.
details-affects = Affects: { $list }
details-window = Planned: { $window }

## Pages and windows
page-link-failed = The link could not be opened: { $url }
page-settings-policy-broken = Your administrator's settings on this computer have an error, so changes cannot be saved now. Tell your administrator; the details for them are below.
window-banner = Svetofor — { $word }: { $title }
window-details = Svetofor — details
window-settings = Svetofor — settings
page-details = Details
page-dismiss = Dismiss
page-close = Close
page-now = Now
page-upcoming = Planned maintenance
page-recent = Resolved in the last 24 hours
page-empty-now = No current problems.
page-empty-upcoming = None planned.
page-empty-recent = No problems in the last 24 hours.
page-more-info = More information
page-loading = Loading…
page-settings-heading = Settings
page-settings-feeds = Status feed
page-settings-feeds-help = The first address is the main one. The others are mirrors, used while the main one cannot be reached.
page-settings-add-mirror = Add a mirror
page-settings-remove = Remove
page-settings-check = Check
page-settings-checking = Checking…
page-settings-keys = Public keys
page-settings-keys-help = From the status server's svetofor.pub file, one per field. With a key set, only a feed signed with it is shown.
page-settings-add-key = Add a key
page-settings-interval = Status check interval, seconds
page-settings-interval-help = Used when the status server cannot report changes at once. After three failed checks in a row the status is marked as not confirmed.
page-settings-components = Parts of the product to follow
page-settings-components-all = Everything
page-settings-components-some = Only these:
page-settings-components-none-known = The status server lists no parts of the product.
page-settings-notify = Notify me about
page-settings-notify-green = Everything, news included
page-settings-notify-yellow = Problems and maintenance
page-settings-notify-red = Outages only
page-settings-language = Language
page-settings-language-system = Same as the system
page-settings-language-ru = Русский
page-settings-language-en = English
page-settings-autostart = Start Svetofor when I log in
page-settings-save = Save
page-settings-saved = Saved. The new settings are in effect.
page-settings-not-saved-other = Nothing was saved: see the message above.
page-settings-not-saved = Nothing was saved: correct the fields marked below.
page-settings-locked-policy = Set by your administrator
page-settings-locked-command-line = Set on the command line for this run

## Settings: refused values and the Check button
settings-error-feeds = “{ $value }” is not a web address: it must start with https:// or http://.
settings-error-public-keys = “{ $value }” is not a public key. Copy the line that starts with RW from the status server's svetofor.pub.
settings-error-poll-interval = Enter a whole number of seconds from 1 to 86400.
settings-error-language = Choose a language from the list.
settings-error-components = Tick at least one part of the product, or choose “Everything”.
settings-error-file = Your settings file cannot be used, so nothing was saved: { $detail }
settings-error-other = This value cannot be used: { $detail }
settings-problem = Your settings file could not be read, so the defaults are in effect: { $detail }
check-ok = Works: “{ $name }” says “{ $status }”.
check-signed = Signed with a trusted key ({ $key }).
check-not-verified = Not verified: without a public key, a forged status would look the same.
check-unreachable = Cannot reach this address.
check-timeout = The server did not answer in time.
check-http = The server answered with an error (HTTP { $status }).
check-too-large = The answer is too large to be a status feed.
check-not-a-feed = The address answers, but not with a status feed.
check-unsigned = The feed is not signed, but public keys are set: it would be refused.
check-unknown-key = The feed is signed with key { $key }, which is not among the public keys.
check-bad-signature = The signature does not match: the feed was changed after it was signed.
check-expired = The feed is out of date: it expired { $time } and the status server has not renewed it.
check-bad-key = A public key below is not valid: correct it first.
