# Svetofor, English. Every string the desktop app shows: tray menu, banner, details,
# notifications, pages. Keys and variables must match ru.ftl (a test checks).

## Words for a notice and for the overall status
word-outage = Outage
word-degraded = Degraded
word-maintenance = Maintenance
word-planned-maintenance = Planned maintenance
word-news = News
word-resolved = Resolved
word-withdrawn = Withdrawn
status-red = Outage
status-yellow = Problems
status-green = All systems working
status-unknown = Status unknown

## States in a timeline
state-investigating = Investigating
state-identified = Identified
state-monitoring = Monitoring
state-resolved = Resolved
state-scheduled = Scheduled
state-in-progress = In progress
state-completed = Completed
state-withdrawn = Withdrawn

## Times
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
at = at { $time }
next-update = next update by { $time }
update-overdue = update overdue (promised by { $time })
more = +{ $n } more

## Tray
tray-waiting = Status unknown: waiting for the feed…
tray-status = { $word }: { $title } — { $since }
tray-status-more = { $word }: { $title } ({ $more }) — { $since }
tray-status-news = { $status } — { $word }: { $title }
tray-stale = Status as of { $time } ({ $age }), feed unreachable
tray-notice = { $word }: { $title }
tray-tooltip = Svetofor — { $status }
menu-nothing = No current problems
menu-show-banner = Show banner
menu-hide-banner = Hide banner
menu-details = Details…
menu-settings = Settings…
menu-pause = Pause notifications for 1 hour
menu-resume = Resume notifications (paused until { $time })
menu-diagnostics = Copy diagnostics
menu-quit = Quit Svetofor
problem-no-feed = No status feed is set up. Ask your administrator.

## Notifications
notify-summary = { $word }: { $title }
notify-maintenance-started = Maintenance started
notify-now-outage = Now an outage
notify-worse = Worse
notify-outage-update = Outage update
notify-action-details = Details

## Details window
details-source = { $feed } at { $url }: { $how }; received { $time } ({ $age }).
details-feed = Status feed
details-how-live = confirmed just now
details-how-cached = from the copy saved on this computer
details-how-stale = not confirmed since
details-no-status = No status received yet.
details-affects = Affects: { $list }
details-window = Planned: { $from } – { $to }
details-window-open = Planned from { $from }

## Pages and windows
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
page-empty-recent = Nothing resolved lately.
page-more-info = More information
page-loading = Loading…
page-settings-heading = Settings
page-settings-placeholder = Settings cannot be changed here yet. Your administrator sets the status feed for this computer; to see what it uses, run “svetoforctl config show”.
