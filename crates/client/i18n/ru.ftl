# Svetofor, русский. Все строки приложения: меню в трее, баннер, подробности,
# уведомления, страницы. Ключи и переменные совпадают с en.ftl (это проверяет тест).

## Слова для сообщения и для общего статуса
word-outage = Сбой
word-degraded = Перебои
word-maintenance = Техработы
word-planned-maintenance = Плановые техработы
word-news = Новость
word-resolved = Устранено
word-withdrawn = Отменено
status-red = Сбой
status-yellow = Есть проблемы
status-green = Всё работает
status-unknown = Статус неизвестен

## Состояния в хронологии
state-investigating = Выясняем причину
state-identified = Причина найдена
state-monitoring = Наблюдаем
state-resolved = Устранено
state-scheduled = Запланировано
state-in-progress = Идут работы
state-completed = Завершено
state-withdrawn = Отменено

## Время
time-today = { $time }
time-other-day = { $day } { $month } { $time }
month-1 = янв.
month-2 = февр.
month-3 = мар.
month-4 = апр.
month-5 = мая
month-6 = июн.
month-7 = июл.
month-8 = авг.
month-9 = сент.
month-10 = окт.
month-11 = нояб.
month-12 = дек.
age-just-now = только что
age-minutes = { $n } мин назад
age-hours = { $n } ч назад
age-days = { $n ->
    [one] { $n } день назад
    [few] { $n } дня назад
   *[many] { $n } дней назад
}
since = с { $time }
until = до { $time }
at = в { $time }
next-update = следующее обновление до { $time }
update-overdue = обновление задерживается (обещано к { $time })
more = ещё { $n }

## Трей
tray-waiting = Статус неизвестен: ждём данных…
tray-status = { $word }: { $title } — { $since }
tray-status-more = { $word }: { $title } ({ $more }) — { $since }
tray-status-news = { $status } — { $word }: { $title }
tray-stale = Статус на { $time } ({ $age }), источник недоступен
tray-notice = { $word }: { $title }
tray-tooltip = Светофор — { $status }
menu-nothing = Проблем нет
menu-show-banner = Показать баннер
menu-hide-banner = Скрыть баннер
menu-details = Подробности…
menu-settings = Настройки…
menu-pause = Не беспокоить 1 час
menu-resume = Включить уведомления (пауза до { $time })
menu-diagnostics = Скопировать диагностику
menu-quit = Выйти из Светофора
problem-no-feed = Источник статуса не настроен. Обратитесь к администратору.

## Уведомления
notify-summary = { $word }: { $title }
notify-maintenance-started = Начались техработы
notify-now-outage = Теперь это сбой
notify-worse = Стало хуже
notify-outage-update = Новости о сбое
notify-action-details = Подробности

## Окно подробностей
details-source = { $feed }, { $url }: { $how }; получено { $time } ({ $age }).
details-feed = Источник статуса
details-how-live = подтверждено только что
details-how-cached = из копии, сохранённой на этом компьютере
details-how-stale = с тех пор не подтверждено
details-no-status = Статус ещё не получен.
details-affects = Затронуто: { $list }
details-window = По плану: { $from } – { $to }
details-window-open = По плану с { $from }

## Страницы и окна
window-banner = Светофор — { $word }: { $title }
window-details = Светофор — подробности
window-settings = Светофор — настройки
page-details = Подробнее
page-dismiss = Скрыть
page-close = Закрыть
page-now = Сейчас
page-upcoming = Плановые техработы
page-recent = Устранено за последние 24 часа
page-empty-now = Проблем нет.
page-empty-upcoming = Ничего не запланировано.
page-empty-recent = Ничего не устраняли.
page-more-info = Подробнее на сайте
page-loading = Загрузка…
page-settings-heading = Настройки
page-settings-placeholder = Здесь пока нельзя менять настройки. Источник статуса на этом компьютере задаёт администратор; посмотреть, что используется, можно командой «svetoforctl config show».
