# Svetofor, русский. Все строки приложения: меню в трее, баннер, подробности,
# уведомления, страницы. Ключи и переменные совпадают с en.ftl (это проверяет тест).

## Слова для сообщения и для общего статуса
word-cancelled = Отменено
word-outage = Сбой
word-degraded = Перебои
word-maintenance = Техработы
word-planned-maintenance = Плановые техработы
word-news = Новость
word-resolved = Устранено
word-maintenance-completed = Работы завершены
word-news-removed = Снято с публикации
word-withdrawn = Отозвано
status-red = Сбой
status-yellow = Есть проблемы
status-green = Всё работает
status-unknown = Статус неизвестен

## Состояния в хронологии
state-published = Опубликовано
state-cancelled = Отменено
state-investigating = Выясняем причину
state-identified = Причина найдена
state-monitoring = Исправлено, наблюдаем
state-resolved = Устранено
state-scheduled = Запланировано
state-in-progress = Идут работы
state-completed = Завершено
state-withdrawn = Отозвано

## Время
duration-minutes = { $n } мин
duration-hours = { $m ->
    [0] { $h } ч
   *[other] { $h } ч { $m } мин
}
duration-days = { $n ->
    [one] { $n } день
    [few] { $n } дня
   *[many] { $n } дней
}
span = { $from }–{ $to } ({ $duration })
window = { $from }–{ $to }
window-open = с { $from }
still-in-effect = { $n ->
    [one] ещё { $n } проблема не устранена
    [few] ещё { $n } проблемы не устранены
   *[many] ещё { $n } проблем не устранено
}
time-today = { $time }
time-other-day = { $day } { $month } в { $time }
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
at = { $today ->
    [yes] в { $time }
   *[no] { $time }
}
next-update = следующее обновление до { $time }
update-overdue = обновление задерживается (обещано к { $time })
more = ещё { $n } { $n ->
    [one] сообщение
    [few] сообщения
   *[many] сообщений
}

## Трей
tray-upcoming = { $word }: { $title } — { $window }
tray-unreachable = Сервер статуса пока недоступен.
tray-tooltip-title = Светофор
problem-engine = Светофор не может проверять статус на этом компьютере ({ $detail }). Сообщите администратору.
problem-policy = В настройках администратора на этом компьютере ошибка, поэтому статус не обновляется. Сообщите администратору.
problem-user-settings = В файле ваших настроек ошибка; пока она не исправлена, действуют настройки по умолчанию.
diagnostics-copied = Отчёт для поддержки скопирован
diagnostics-copied-body = Вставьте его в письмо или сообщение в поддержку.
tray-waiting = Статус неизвестен: ждём данных…
tray-status = { $word }: { $title } — { $since }
tray-status-more = { $word }: { $title } ({ $more }) — { $since }
tray-status-news = { $status } — { $word }: { $title }
tray-stale = Статус на { $time } ({ $age }), сервер статуса недоступен
tray-notice = { $word }: { $title }
tray-tooltip = Светофор — { $status }
menu-show-banner = Показать баннер
menu-hide-banner = Скрыть баннер
menu-details = Подробности…
menu-settings = Настройки…
menu-pause = Не беспокоить час
menu-resume = Включить уведомления (пауза до { $time })
menu-diagnostics = Скопировать отчёт для поддержки
menu-quit = Выйти из Светофора
problem-no-feed = Источник статуса не настроен. Обратитесь к администратору.

## Уведомления
notify-planned-when = Запланировано: { $window }
notify-maintenance-until = До { $time }
notify-maintenance-open = Время окончания не указано
notify-summary = { $word }: { $title }
notify-maintenance-started = Начались техработы
notify-maintenance-extended = Работы продлены
notify-now-outage = Теперь это сбой
notify-worse = Стало хуже
notify-withdrawn = Сообщение отменено
notify-withdrawn-why = Оно было опубликовано по ошибке.
notify-outage-update = Обновление по сбою
notify-action-details = Подробности

## Окно подробностей
details-source = Источник «{ $feed }» ({ $url }): данные получены { $today ->
    [yes] в { $time }
   *[no] { $time }
} ({ $age }), { $how }.
details-feed = Статус сервиса
details-how-live = подтверждены только что
details-how-cached = показаны из копии, сохранённой на этом компьютере
details-how-stale = с тех пор не подтверждены
details-no-status = Статус ещё не получен.
details-now-unknown = Статус неизвестен: проверенных данных пока нет, и сбой исключить нельзя. Если это продлится долго, сообщите администратору.
details-affects = Затронуто: { $list }
details-window = По плану: { $window }

## Страницы и окна
page-link-failed = Не удалось открыть ссылку: { $url }
page-settings-policy-broken = В настройках администратора на этом компьютере ошибка, поэтому изменения сейчас сохранить нельзя. Сообщите администратору — подробности для него ниже.
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
page-empty-recent = За последние сутки проблем не было.
page-more-info = Подробнее на сайте
page-loading = Загрузка…
page-settings-heading = Настройки
page-settings-feeds = Лента статуса
page-settings-feeds-help = Первый адрес — основной. Остальные — зеркала: к ним Светофор обращается, пока основной недоступен.
page-settings-add-mirror = Добавить зеркало
page-settings-remove = Удалить
page-settings-check = Проверить
page-settings-checking = Проверяем…
page-settings-keys = Открытые ключи
page-settings-keys-help = Из файла svetofor.pub сервера статуса, по одному в поле. Если ключ задан, показывается только лента, подписанная им.
page-settings-add-key = Добавить ключ
page-settings-interval = Интервал проверки статуса, секунд
page-settings-interval-help = Нужен, когда сервер статуса не может сообщать об изменениях сразу. Если три проверки подряд не прошли, статус помечается как неподтверждённый.
page-settings-components = Какие части продукта отслеживать
page-settings-components-all = Все
page-settings-components-some = Только эти:
page-settings-components-none-known = Сервер статуса не сообщает, из каких частей состоит продукт.
page-settings-notify = Уведомлять
page-settings-notify-green = Обо всём, включая новости
page-settings-notify-yellow = О проблемах и техработах
page-settings-notify-red = Только о сбоях
page-settings-language = Язык
page-settings-language-system = Как в системе
page-settings-language-ru = Русский
page-settings-language-en = English
page-settings-autostart = Запускать Светофор при входе в систему
page-settings-save = Сохранить
page-settings-saved = Сохранено. Новые настройки уже действуют.
page-settings-not-saved-other = Ничего не сохранено: см. сообщение выше.
page-settings-not-saved = Ничего не сохранено: исправьте отмеченные поля.
page-settings-locked-policy = Задано администратором
page-settings-locked-command-line = Задано в командной строке для этого запуска

## Настройки: отклонённые значения и кнопка «Проверить»
settings-error-feeds = «{ $value }» — не веб-адрес: он должен начинаться с https:// или http://.
settings-error-public-keys = «{ $value }» — не открытый ключ. Скопируйте строку, начинающуюся с RW, из файла svetofor.pub сервера статуса.
settings-error-poll-interval = Введите целое число секунд от 1 до 86400.
settings-error-language = Выберите язык из списка.
settings-error-components = Отметьте хотя бы одну часть продукта или выберите «Все».
settings-error-file = Файл настроек нельзя использовать, поэтому ничего не сохранено: { $detail }
settings-error-other = Это значение нельзя использовать: { $detail }
settings-problem = Ваш файл настроек не удалось прочитать, поэтому действуют значения по умолчанию: { $detail }
check-ok = Работает: «{ $name }» сообщает «{ $status }».
check-signed = Подписано доверенным ключом ({ $key }).
check-not-verified = Не проверено: без открытого ключа поддельный статус выглядел бы так же.
check-unreachable = Не удаётся связаться с этим адресом.
check-timeout = Сервер не ответил вовремя.
check-http = Сервер ответил ошибкой (HTTP { $status }).
check-too-large = Ответ слишком велик для ленты статуса.
check-not-a-feed = По этому адресу отвечают, но это не лента статуса.
check-unsigned = Лента не подписана, а открытые ключи заданы: её не примут.
check-unknown-key = Лента подписана ключом { $key }, которого нет среди открытых ключей.
check-bad-signature = Подпись не совпадает: ленту изменили после подписания.
check-expired = Лента устарела: срок её действия истёк { $time }, а сервер статуса её не обновил.
check-bad-key = Один из открытых ключей ниже неверен: сначала исправьте его.
