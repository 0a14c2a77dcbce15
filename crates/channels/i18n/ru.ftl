# What a channel says (Telegram, e-mail, webhooks' text): one short message per event.

word-maintenance = Плановые работы
word-info = Новость
word-red = Сбой
word-yellow = Проблемы
word-green = Работает
state-investigating = выясняем причину
state-identified = причина найдена, исправляем
state-monitoring = исправлено, наблюдаем
state-resolved = устранено
state-scheduled = запланировано
state-in-progress = идут работы
state-completed = работы завершены
state-withdrawn = отменено
state-published = опубликовано
headline-update = Обновление
word-maintenance-completed = Работы завершены
word-news-removed = Снято с публикации
word-resolved = Устранено
word-withdrawn = Сообщение отменено
line-withdrawn-why = Оно было опубликовано по ошибке.
draft-not-seen = Сотрудники этого ещё не видят: черновик ждёт проверки и публикации в консоли.
word-draft = Черновик
headline-from-monitoring = От мониторинга
line-when = Когда
line-status = Состояние
line-next-update = Следующее обновление — до
line-details = Подробнее

# Dates on another day: "2 дек. 01:00 (МСК)".
month-1 = янв.
month-2 = февр.
month-3 = марта
month-4 = апр.
month-5 = мая
month-6 = июня
month-7 = июля
month-8 = авг.
month-9 = сент.
month-10 = окт.
month-11 = нояб.
month-12 = дек.
zone-moscow = МСК

# The test message a channel check sends.
test-word = Проверка
test-product = Светофор
test-body = Это проверочное письмо: канал работает.
