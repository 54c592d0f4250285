"""Polish and Russian translations of the web interface, kept as data.

``python -m clientela.web.locale.translations`` rewrites the ``msgstr`` of every entry of
``pl`` and ``ru`` ``django.po`` (after ``django-admin makemessages``) from this table and
reports any msgid that has no translation here; then run ``django-admin compilemessages``.
The .po files stay the source translators edit; this table is how they were first written.
"""

from __future__ import annotations

T: dict[str, tuple[str, str]] = {
    "The user name or password is not right. Both are case-sensitive.": (
        "Nazwa użytkownika lub hasło są nieprawidłowe. W obu wielkość liter ma znaczenie.",
        "Неверное имя пользователя или пароль. Оба чувствительны к регистру."),
    "top 20 %% bring %(share)s %%": ("najlepsze 20 %% daje %(share)s %%", "лучшие 20 %% дают %(share)s %%"),
    "Pareto (Lorenz) curve of revenue": ("Krzywa Pareto (Lorenza) przychodów", "Кривая Парето (Лоренца) выручки"),
    "Cumulative share of revenue against cumulative share of customers ranked from the smallest; the dashed diagonal is perfect equality.": (
        "Skumulowany udział w przychodach względem skumulowanego udziału klientów uszeregowanych od najmniejszego; przerywana przekątna oznacza pełną równość.",
        "Накопленная доля выручки против накопленной доли клиентов, упорядоченных от наименьшего; пунктирная диагональ — полное равенство."),
    "share of customers, smallest first": ("udział klientów, od najmniejszych", "доля клиентов, от наименьших"),
    "share of revenue": ("udział w przychodach", "доля выручки"),
    "Loyalty ladder": ("Drabina lojalności", "Лестница лояльности"),
    "Number of parties on each rung of the loyalty ladder, from prospect at the top to partner at the bottom.": (
        "Liczba kontrahentów na każdym szczeblu drabiny lojalności, od potencjalnego klienta u góry do partnera na dole.",
        "Число контрагентов на каждой ступени лестницы лояльности: от потенциального клиента вверху до партнёра внизу."),
    "months since first purchase": ("miesiące od pierwszego zakupu", "месяцы после первой покупки"),
    "Cohort retention": ("Utrzymanie kohort", "Удержание когорт"),
    "Share of each monthly cohort of new customers (rows) that bought again in each month since their first purchase (columns), in percent.": (
        "Odsetek każdej miesięcznej kohorty nowych klientów (wiersze), który kupił ponownie w kolejnych miesiącach od pierwszego zakupu (kolumny), w procentach.",
        "Доля каждой месячной когорты новых клиентов (строки), купивших снова в каждый месяц после первой покупки (столбцы), в процентах."),
    "Where the revenue comes from": ("Skąd pochodzą przychody", "Откуда берётся выручка"),
    "Best customers": ("Najlepsi klienci", "Лучшие клиенты"),
    "Share of revenue": ("Udział w przychodach", "Доля выручки"),
    "top %(n)s %%": ("najlepsze %(n)s %%", "лучшие %(n)s %%"),
    "Gini coefficient %(gini)s": ("Współczynnik Giniego %(gini)s", "Коэффициент Джини %(gini)s"),
    "Customer lifetime value": ("Wartość klienta w czasie (CLV)", "Пожизненная ценность клиента (CLV)"),
    "CLV distribution": ("Rozkład CLV", "Распределение CLV"),
    "Number of customers in each band of lifetime value, in %(currency)s.": (
        "Liczba klientów w każdym przedziale wartości klienta, w %(currency)s.",
        "Число клиентов в каждом интервале пожизненной ценности, в %(currency)s."),
    "CLV band (%(currency)s)": ("Przedział CLV (%(currency)s)", "Интервал CLV (%(currency)s)"),
    "Their CLV (%(currency)s)": ("Ich CLV (%(currency)s)", "Их CLV (%(currency)s)"),
    "Share of all CLV": ("Udział w całym CLV", "Доля во всём CLV"),
    "Bands widen in 1-2-5 steps: most customers are worth little, a few a great deal.": (
        "Przedziały rosną krokami 1-2-5: większość klientów jest wartych niewiele, nieliczni bardzo dużo.",
        "Интервалы растут шагами 1-2-5: большинство клиентов стоят немного, немногие — очень много."),
    "Customers": ("Klienci", "Клиенты"),
    "Rung": ("Szczebel", "Ступень"),
    "Parties": ("Kontrahenci", "Контрагенты"),
    "Next best actions": ("Następne najlepsze działania", "Следующие лучшие действия"),
    "Number of parties for whom each action is proposed.": (
        "Liczba kontrahentów, dla których proponowane jest każde działanie.",
        "Число контрагентов, для которых предложено каждое действие."),
    "Action": ("Działanie", "Действие"),
    "Cohort (size)": ("Kohorta (liczebność)", "Когорта (размер)"),
    "Bought again after 1 / 3 / 6 months": ("Kupili ponownie po 1 / 3 / 6 miesiącach", "Купили снова через 1 / 3 / 6 месяцев"),
    "Channel": ("Kanał", "Канал"),
    "Direction": ("Kierunek", "Направление"),
    "When": ("Kiedy", "Когда"),
    "Subject": ("Temat", "Тема"),
    "Notes": ("Notatki", "Заметки"),
    "An interaction that is logged cannot lie in the future.": (
        "Zapisywana interakcja nie może mieć daty w przyszłości.",
        "Записываемое взаимодействие не может быть в будущем."),
    "Customer equity": ("Kapitał klientów", "Клиентский капитал"),
    "Lifetime value of today's customers plus future customers net of acquisition cost": (
        "Wartość obecnych klientów w czasie plus przyszli klienci po odjęciu kosztu pozyskania",
        "Пожизненная ценность нынешних клиентов плюс будущие клиенты за вычетом затрат на привлечение"),
    "Active customers": ("Aktywni klienci", "Активные клиенты"),
    "Customers with a probability of being alive of at least 0.5": (
        "Klienci z prawdopodobieństwem aktywności co najmniej 0,5",
        "Клиенты с вероятностью активности не ниже 0,5"),
    "Mean CLV": ("Średnie CLV", "Средний CLV"),
    "Average predicted lifetime value of a current customer": (
        "Średnia przewidywana wartość obecnego klienta w czasie",
        "Средняя прогнозируемая пожизненная ценность текущего клиента"),
    "CLV / CAC": ("CLV / CAC", "CLV / CAC"),
    "Mean lifetime value per unit of acquisition cost": (
        "Średnia wartość klienta na jednostkę kosztu pozyskania",
        "Средняя пожизненная ценность на единицу затрат на привлечение"),
    "Retention rate": ("Wskaźnik utrzymania", "Коэффициент удержания"),
    "Share of the previous period's active customers who bought again in the latest period": (
        "Odsetek aktywnych klientów z poprzedniego okresu, którzy kupili ponownie w ostatnim okresie",
        "Доля активных клиентов прошлого периода, купивших снова в последнем периоде"),
    "Churn rate": ("Wskaźnik odejść", "Коэффициент оттока"),
    "Share of the previous period's active customers who did not buy again": (
        "Odsetek aktywnych klientów z poprzedniego okresu, którzy nie kupili ponownie",
        "Доля активных клиентов прошлого периода, не купивших снова"),
    "Net Promoter Score": ("Net Promoter Score (NPS)", "Индекс потребительской лояльности (NPS)"),
    "Promoters minus detractors among survey answers of the last 365 days": (
        "Promotorzy minus krytycy wśród odpowiedzi w ankietach z ostatnich 365 dni",
        "Промоутеры минус критики среди ответов на опросы за последние 365 дней"),
    "Revenue share of the top 20 %": ("Udział najlepszych 20 % w przychodach", "Доля лучших 20 % в выручке"),
    "Share of revenue brought by the best fifth of customers": (
        "Część przychodów od najlepszej piątej części klientów",
        "Доля выручки от лучшей пятой части клиентов"),
    "Prospect": ("Potencjalny klient", "Потенциальный клиент"),
    "Customer": ("Klient", "Покупатель"),
    "Client": ("Stały klient", "Постоянный клиент"),
    "Supporter": ("Zwolennik", "Сторонник"),
    "Advocate": ("Orędownik", "Адвокат бренда"),
    "Partner": ("Partner", "Партнёр"),
    "Champions": ("Mistrzowie", "Чемпионы"),
    "Loyal": ("Lojalni", "Лояльные"),
    "Potential loyalists": ("Potencjalnie lojalni", "Потенциально лояльные"),
    "New": ("Nowi", "Новые"),
    "Promising": ("Obiecujący", "Перспективные"),
    "Need attention": ("Wymagają uwagi", "Требуют внимания"),
    "About to sleep": ("Zasypiający", "Засыпающие"),
    "At risk": ("Zagrożeni", "Под угрозой"),
    "Cannot lose": ("Nie wolno stracić", "Нельзя потерять"),
    "Hibernating": ("Uśpieni", "Спящие"),
    "Lost": ("Utraceni", "Потерянные"),
    "Acquire": ("Pozyskać", "Привлечь"),
    "Retain": ("Utrzymać", "Удержать"),
    "Develop (add-on)": ("Rozwijać (sprzedaż dodatkowa)", "Развивать (доп. продажи)"),
    "Win back": ("Odzyskać", "Вернуть"),
    "Nurture": ("Pielęgnować", "Взращивать"),
    "Managed exit": ("Kontrolowane zakończenie", "Управляемое завершение"),
    "No action": ("Bez działania", "Без действия"),
    "Administrator": ("Administrator", "Администратор"),
    "Manager": ("Kierownik", "Руководитель"),
    "Sales representative": ("Przedstawiciel handlowy", "Торговый представитель"),
    "Service agent": ("Konsultant obsługi", "Агент поддержки"),
    "Marketer": ("Marketingowiec", "Маркетолог"),
    "Analyst": ("Analityk", "Аналитик"),
    "Read-only": ("Tylko odczyt", "Только чтение"),
    "Email": ("E-mail", "Эл. почта"),
    "Phone": ("Telefon", "Телефон"),
    "SMS": ("SMS", "СМС"),
    "Meeting": ("Spotkanie", "Встреча"),
    "Web": ("Strona WWW", "Сайт"),
    "Chat": ("Czat", "Чат"),
    "Letter": ("List", "Письмо"),
    "Inbound": ("Przychodząca", "Входящее"),
    "Outbound": ("Wychodząca", "Исходящее"),
    "Online shop": ("Sklep internetowy", "Интернет-магазин"),
    "Store": ("Sklep stacjonarny", "Магазин"),
    "Marketplace": ("Platforma handlowa", "Маркетплейс"),
    "Placed": ("Złożone", "Оформлен"),
    "Paid": ("Opłacone", "Оплачен"),
    "Shipped": ("Wysłane", "Отправлен"),
    "Completed": ("Zrealizowane", "Выполнен"),
    "Cancelled": ("Anulowane", "Отменён"),
    "Returned": ("Zwrócone", "Возвращён"),
    "New case": ("Nowe", "Новое"),
    "Open": ("Otwarte", "Открыто"),
    "Pending": ("Oczekujące", "В ожидании"),
    "Resolved": ("Rozwiązane", "Решено"),
    "Closed": ("Zamknięte", "Закрыто"),
    "Low priority": ("Niski priorytet", "Низкий приоритет"),
    "Normal priority": ("Normalny priorytet", "Обычный приоритет"),
    "High priority": ("Wysoki priorytet", "Высокий приоритет"),
    "Urgent": ("Pilne", "Срочно"),
    "Won": ("Wygrana", "Выиграна"),
    "Queued": ("W kolejce", "В очереди"),
    "Sent": ("Wysłano", "Отправлено"),
    "Suppressed (no consent)": ("Wstrzymano (brak zgody)", "Не отправлено (нет согласия)"),
    "Failed": ("Błąd", "Ошибка"),
    "Points earned": ("Punkty zdobyte", "Начислены баллы"),
    "Points redeemed": ("Punkty wykorzystane", "Списаны баллы"),
    "Points expired": ("Punkty wygasły", "Баллы сгорели"),
    "Points adjusted": ("Korekta punktów", "Корректировка баллов"),
    "Marketing communication": ("Komunikacja marketingowa", "Маркетинговые сообщения"),
    "Newsletter": ("Newsletter", "Рассылка новостей"),
    "Surveys and feedback": ("Ankiety i opinie", "Опросы и отзывы"),
    "Profiling and analytics": ("Profilowanie i analityka", "Профилирование и аналитика"),
    "Consent": ("Zgoda", "Согласие"),
    "Contract": ("Umowa", "Договор"),
    "Legal obligation": ("Obowiązek prawny", "Юридическая обязанность"),
    "Legitimate interest": ("Prawnie uzasadniony interes", "Законный интерес"),
    "Person": ("Osoba", "Физическое лицо"),
    "Organisation": ("Organizacja", "Организация"),
    "Supplier": ("Dostawca", "Поставщик"),
    "Internal": ("Wewnętrzny", "Внутренний"),
    "Paid search": ("Płatne wyszukiwanie", "Платный поиск"),
    "Social media": ("Media społecznościowe", "Социальные сети"),
    "Referral": ("Polecenie", "Рекомендация"),
    "Events and fairs": ("Wydarzenia i targi", "Мероприятия и выставки"),
    "Direct / organic": ("Bezpośrednio / organicznie", "Прямой / органический"),
    "Field sales": ("Sprzedaż w terenie", "Выездные продажи"),
    "Dashboard": ("Pulpit", "Панель"),
    "Administration": ("Administracja", "Администрирование"),
    "Order": ("Zamówienie", "Заказ"),
    "Order %(ref)s": ("Zamówienie %(ref)s", "Заказ %(ref)s"),
    "Interaction": ("Interakcja", "Взаимодействие"),
    "Service case": ("Zgłoszenie serwisowe", "Обращение"),
    "Survey answer": ("Odpowiedź w ankiecie", "Ответ на опрос"),
    "NPS score %(score)s": ("Ocena NPS %(score)s", "Оценка NPS %(score)s"),
    "Satisfaction score %(score)s": ("Ocena zadowolenia %(score)s", "Оценка удовлетворённости %(score)s"),
    "Loyalty": ("Lojalność", "Лояльность"),
    "%(kind)s: %(points)s": ("%(kind)s: %(points)s", "%(kind)s: %(points)s"),
    "Campaign": ("Kampania", "Кампания"),
    "responded": ("odpowiedział", "откликнулся"),
    "Skip to content": ("Przejdź do treści", "Перейти к содержимому"),
    "Main menu": ("Menu główne", "Главное меню"),
    "Language": ("Język", "Язык"),
    "Log out": ("Wyloguj", "Выйти"),
    "Log an interaction": ("Zapisz interakcję", "Записать взаимодействие"),
    "Log interaction": ("Zapisz interakcję", "Записать"),
    "Logged. It is now on the timeline.": ("Zapisano. Jest już na osi czasu.", "Записано. Теперь это в хронологии."),
    "Results": ("Wyniki", "Результаты"),
    "Country": ("Kraj", "Страна"),
    "Owner": ("Opiekun", "Ответственный"),
    "RFM segment": ("Segment RFM", "Сегмент RFM"),
    "Ladder stage": ("Szczebel drabiny", "Ступень лестницы"),
    "P(alive)": ("P(aktywny)", "P(активен)"),
    "Churn risk": ("Ryzyko odejścia", "Риск оттока"),
    "CLV": ("CLV", "CLV"),
    "Net contribution": ("Marża netto", "Чистый вклад"),
    "Next best action": ("Następne najlepsze działanie", "Следующее лучшее действие"),
    "Pages": ("Strony", "Страницы"),
    "Previous": ("Poprzednia", "Назад"),
    "Page %(n)s": ("Strona %(n)s", "Страница %(n)s"),
    "Next": ("Następna", "Далее"),
    "No customers match these filters.": ("Żaden klient nie pasuje do tych filtrów.", "Нет клиентов, подходящих под эти фильтры."),
    "Events, newest first": ("Zdarzenia, od najnowszych", "События, сначала новые"),
    "Nothing has happened with this customer yet.": ("Z tym klientem nic się jeszcze nie wydarzyło.", "С этим клиентом пока ничего не происходило."),
    "Show older events": ("Pokaż starsze zdarzenia", "Показать более ранние события"),
    "Customer value": ("Wartość klienta", "Ценность клиента"),
    "Lifetime value (CLV)": ("Wartość w czasie (CLV)", "Пожизненная ценность (CLV)"),
    "Probability alive": ("Prawdopodobieństwo aktywności", "Вероятность активности"),
    "Expected purchases, 90 days": ("Oczekiwane zakupy, 90 dni", "Ожидаемые покупки, 90 дней"),
    "Expected purchases, 365 days": ("Oczekiwane zakupy, 365 dni", "Ожидаемые покупки, 365 дней"),
    "Why:": ("Dlaczego:", "Почему:"),
    "Product to offer:": ("Produkt do zaproponowania:", "Предложить товар:"),
    "Profitability": ("Rentowność", "Прибыльность"),
    "Revenue": ("Przychody", "Выручка"),
    "Costs: goods, service and marketing": ("Koszty: towary, obsługa i marketing", "Затраты: товары, обслуживание и маркетинг"),
    "This customer costs more than they bring.": ("Ten klient kosztuje więcej, niż przynosi.", "Этот клиент обходится дороже, чем приносит."),
    "Ladder stage over time": ("Szczebel drabiny w czasie", "Ступень лестницы во времени"),
    "From the model run of %(date)s.": ("Z przebiegu modelu z %(date)s.", "По расчёту модели от %(date)s."),
    "Not scored yet: the value figures appear after the next model run.": (
        "Jeszcze nie oceniono: wartości pojawią się po następnym przebiegu modelu.",
        "Ещё не оценён: показатели ценности появятся после следующего расчёта модели."),
    "Timeline": ("Oś czasu", "Хронология"),
    "Profile": ("Profil", "Профиль"),
    "Place": ("Miejscowość", "Местонахождение"),
    "Preferred channel": ("Preferowany kanał", "Предпочитаемый канал"),
    "Customer since": ("Klient od", "Клиент с"),
    "Acquired through": ("Pozyskany przez", "Привлечён через"),
    "Consents": ("Zgody", "Согласия"),
    "withdrawn on %(date)s": ("wycofana %(date)s", "отозвано %(date)s"),
    "given on %(date)s (%(basis)s)": ("udzielona %(date)s (%(basis)s)", "дано %(date)s (%(basis)s)"),
    "No consents recorded.": ("Brak zarejestrowanych zgód.", "Согласия не записаны."),
    "Deals": ("Szanse sprzedaży", "Сделки"),
    "No deals.": ("Brak szans sprzedaży.", "Сделок нет."),
    "Service cases": ("Zgłoszenia serwisowe", "Обращения"),
    "No service cases.": ("Brak zgłoszeń serwisowych.", "Обращений нет."),
    "Search by name, email, phone or reference; filter by value segment, ladder stage and next best action.": (
        "Szukaj po nazwie, e-mailu, telefonie lub numerze referencyjnym; filtruj według segmentu, szczebla drabiny i następnego najlepszego działania.",
        "Ищите по имени, эл. почте, телефону или коду; фильтруйте по сегменту, ступени лестницы и следующему лучшему действию."),
    "Search": ("Szukaj", "Поиск"),
    "Name, email, phone or reference": ("Nazwa, e-mail, telefon lub numer", "Имя, эл. почта, телефон или код"),
    "All": ("Wszystkie", "Все"),
    "Anyone": ("Dowolny", "Любой"),
    "Sort by": ("Sortuj według", "Сортировать по"),
    "CLV, highest first": ("CLV, od najwyższej", "CLV, сначала высокий"),
    "P(alive), highest first": ("P(aktywny), od najwyższego", "P(активен), сначала высокая"),
    "Churn risk, highest first": ("Ryzyko odejścia, od najwyższego", "Риск оттока, сначала высокий"),
    "Name": ("Nazwa", "Имя"),
    "Apply": ("Zastosuj", "Применить"),
    "Customer equity dashboard": ("Pulpit kapitału klientów", "Панель клиентского капитала"),
    "Model run of %(date)s: %(customers)s customers scored with %(model)s.": (
        "Przebieg modelu z %(date)s: oceniono %(customers)s klientów modelem %(model)s.",
        "Расчёт модели от %(date)s: оценено клиентов — %(customers)s, модель %(model)s."),
    "Trends compare with the run of %(date)s.": ("Trendy w porównaniu z przebiegiem z %(date)s.", "Динамика — в сравнении с расчётом от %(date)s."),
    "Trends appear after the next model run.": ("Trendy pojawią się po następnym przebiegu modelu.", "Динамика появится после следующего расчёта модели."),
    "No model run yet": ("Model jeszcze nie był uruchomiony", "Модель ещё не рассчитывалась"),
    "Customer value, equity and the next best actions appear here once the customers have been scored. Run this command on the server:": (
        "Wartość klientów, kapitał i następne najlepsze działania pojawią się tutaj po ocenie klientów. Uruchom na serwerze polecenie:",
        "Ценность клиентов, капитал и следующие лучшие действия появятся здесь после оценки клиентов. Выполните на сервере команду:"),
    "Key figures": ("Kluczowe wskaźniki", "Ключевые показатели"),
    "no data yet": ("brak danych", "данных пока нет"),
    "pp": ("pp", "п. п."),
    "since the previous run": ("od poprzedniego przebiegu", "с прошлого расчёта"),
    "No survey answers in the last 365 days.": ("Brak odpowiedzi w ankietach z ostatnich 365 dni.", "Нет ответов на опросы за последние 365 дней."),
    "no earlier run to compare": ("brak wcześniejszego przebiegu do porównania", "нет прошлого расчёта для сравнения"),
    "Charts": ("Wykresy", "Графики"),
    "Show the figures as a table": ("Pokaż dane w tabeli", "Показать данные таблицей"),
    "Log in": ("Zaloguj się", "Войти"),
    "Log in to Clientela": ("Logowanie do Clienteli", "Вход в Clientela"),
    "Customers as capital: value, equity and the next best action for every relationship.": (
        "Klienci jako kapitał: wartość, kapitał klientów i następne najlepsze działanie dla każdej relacji.",
        "Клиенты как капитал: ценность, клиентский капитал и следующее лучшее действие для каждого отношения."),
    "User name": ("Nazwa użytkownika", "Имя пользователя"),
    "Password": ("Hasło", "Пароль"),
    "up": ("wzrost", "рост"),
    "down": ("spadek", "снижение"),
    "unchanged": ("bez zmian", "без изменений"),
    "A lost deal needs a reason: use the deal's move form and write one.": (
        "Przegrana szansa wymaga powodu: użyj formularza przeniesienia i go wpisz.",
        "Для проигранной сделки нужна причина: воспользуйтесь формой перемещения и укажите её."),
    "Conversion from the previous stage": ("Konwersja z poprzedniego etapu", "Конверсия с предыдущего этапа"),
    "Deal moved.": ("Przeniesiono szansę sprzedaży.", "Сделка перемещена."),
    "Deals by stage.": ("Szanse sprzedaży według etapów.", "Сделки по этапам."),
    "Deals in %(stage)s": ("Szanse sprzedaży w etapie %(stage)s", "Сделки на этапе %(stage)s"),
    "Deals that reached it": ("Szanse, które do niego doszły", "Сделки, дошедшие до этапа"),
    "Drag a deal to another stage, or use its Move button.": (
        "Przeciągnij szansę do innego etapu albo użyj przycisku Przenieś.",
        "Перетащите сделку на другой этап или нажмите «Переместить»."),
    "Funnel conversion": ("Konwersja w lejku", "Конверсия воронки"),
    "Move": ("Przenieś", "Переместить"),
    "Pipeline": ("Lejek sprzedaży", "Воронка продаж"),
    "Pipelines": ("Lejki sprzedaży", "Воронки продаж"),
    "Reason (needed when lost)": ("Powód (wymagany przy przegranej)", "Причина (нужна при проигрыше)"),
    "Share of all deals": ("Udział we wszystkich szansach", "Доля от всех сделок"),
    "Someone changed this deal meanwhile; the board shows it as it is now.": (
        "Ktoś w międzyczasie zmienił tę szansę; tablica pokazuje jej obecny stan.",
        "Кто-то тем временем изменил сделку; доска показывает её текущее состояние."),
    "Stage": ("Etap", "Этап"),
    "The deal cannot be moved there.": ("Nie można tam przenieść tej szansy.", "Сделку нельзя переместить туда."),
    "There is no active sales pipeline yet. An administrator can create one in the administration or through the API.": (
        "Nie ma jeszcze aktywnego lejka sprzedaży. Administrator może go utworzyć w panelu administracyjnym lub przez API.",
        "Активной воронки продаж пока нет. Администратор может создать её в администрировании или через API."),
    "win %(p)s": ("szansa wygranej %(p)s", "вероятность выигрыша %(p)s"),
    "Customer equity (%(currency)s)": ("Kapitał klientów (%(currency)s)", "Клиентский капитал (%(currency)s)"),
    "Customer equity at each model run, oldest on the left; the value is written above each point.": (
        "Kapitał klientów w każdym przebiegu modelu, od najstarszego po lewej; wartość jest wpisana nad każdym punktem.",
        "Клиентский капитал при каждом расчёте модели, самый ранний слева; значение подписано над каждой точкой."),
    "Customer equity over time": ("Kapitał klientów w czasie", "Клиентский капитал во времени"),
    "Model run": ("Przebieg modelu", "Расчёт модели"),
    "Back to the dashboard": ("Wróć do pulpitu", "Вернуться на панель"),
    "Not allowed": ("Brak uprawnień", "Нет доступа"),
    "Not found": ("Nie znaleziono", "Не найдено"),
    "This page does not exist, or it holds a record you may not see.": (
        "Ta strona nie istnieje albo zawiera rekord, którego nie możesz zobaczyć.",
        "Такой страницы нет, или на ней запись, которую вам нельзя видеть."),
    "Your role does not allow this. Ask an administrator if you need it.": (
        "Twoja rola na to nie pozwala. Jeśli tego potrzebujesz, poproś administratora.",
        "Ваша роль этого не позволяет. Если это нужно, обратитесь к администратору."),
    # segments and campaigns
    "Segments": ("Segmenty", "Сегменты"),
    "Saved groups of customers, selected by value, loyalty and next best action in the current scoring run; each can become a campaign.": (
        "Zapisane grupy klientów wybrane według wartości, lojalności i następnego najlepszego działania w bieżącym przebiegu oceny; z każdej można utworzyć kampanię.",
        "Сохранённые группы клиентов, отобранные по ценности, лояльности и следующему лучшему действию в текущем расчёте оценок; из каждой можно создать кампанию."),
    "New segment": ("Nowy segment", "Новый сегмент"),
    "Segment": ("Segment", "Сегмент"),
    "Filters": ("Filtry", "Фильтры"),
    "Saved by": ("Zapisał(a)", "Сохранил(а)"),
    "Every scored customer": ("Każdy oceniony klient", "Все клиенты с оценкой"),
    "No segments saved yet.": ("Nie zapisano jeszcze żadnego segmentu.", "Сегментов пока нет."),
    "Value tier": ("Poziom wartości", "Уровень ценности"),
    "Edit segment": ("Edycja segmentu", "Изменение сегмента"),
    "Tick the values to select; the number of customers updates as you choose. Within a filter any ticked value matches; all filters must hold. A filter with nothing ticked selects everyone.": (
        "Zaznacz wartości do wyboru; liczba klientów zmienia się na bieżąco. W obrębie filtra pasuje dowolna zaznaczona wartość; muszą być spełnione wszystkie filtry. Filtr bez zaznaczeń wybiera wszystkich.",
        "Отметьте нужные значения; число клиентов обновляется по ходу выбора. Внутри фильтра подходит любое отмеченное значение; должны выполняться все фильтры. Фильтр без отметок выбирает всех."),
    "The segment was not saved:": ("Segmentu nie zapisano:", "Сегмент не сохранён:"),
    "Segment name": ("Nazwa segmentu", "Название сегмента"),
    "From": ("Od", "От"),
    "To": ("Do", "До"),
    "From 0 to 1; empty means no bound.": ("Od 0 do 1; puste pole oznacza brak granicy.", "От 0 до 1; пустое поле — без ограничения."),
    "Save segment": ("Zapisz segment", "Сохранить сегмент"),
    "Count": ("Policz", "Посчитать"),
    "Create a campaign": ("Utwórz kampanię", "Создать кампанию"),
    "Edit": ("Edytuj", "Изменить"),
    "Customers in the segment": ("Klienci w segmencie", "Клиенты сегмента"),
    "This segment selects customers by their value, which your role may not see.": (
        "Ten segment wybiera klientów według ich wartości, której Twoja rola nie może widzieć.",
        "Этот сегмент отбирает клиентов по ценности, которую ваша роль видеть не может."),
    "Campaigns from this segment": ("Kampanie z tego segmentu", "Кампании из этого сегмента"),
    "No campaign made from this segment yet.": ("Z tego segmentu nie utworzono jeszcze kampanii.", "Из этого сегмента ещё не создано ни одной кампании."),
    "Delete this segment": ("Usuń ten segment", "Удалить этот сегмент"),
    "Campaigns made from it keep their members.": ("Utworzone z niego kampanie zachowują swoich odbiorców.", "Созданные из него кампании сохраняют своих участников."),
    "From the scoring run of %(when)s; only the customers your role may see are counted.": (
        "Z przebiegu oceny z %(when)s; liczeni są tylko klienci, których Twoja rola może widzieć.",
        "По расчёту оценок от %(when)s; учитываются только клиенты, которых может видеть ваша роль."),
    "New campaign": ("Nowa kampania", "Новая кампания"),
    "Only members with an active marketing consent on the channel receive the message; the others are marked as suppressed.": (
        "Wiadomość otrzymają tylko odbiorcy z aktywną zgodą marketingową na tym kanale; pozostali zostaną oznaczeni jako wstrzymani.",
        "Сообщение получат только участники с действующим согласием на маркетинг по этому каналу; остальные будут отмечены как исключённые."),
    "Create the campaign": ("Utwórz kampanię", "Создать кампанию"),
    "No scoring run yet: a segment selects from the scores of the current run.": (
        "Nie ma jeszcze przebiegu oceny: segment wybiera z ocen bieżącego przebiegu.",
        "Расчёта оценок ещё нет: сегмент отбирает из оценок текущего расчёта."),
    "Check the filters marked above.": ("Sprawdź filtry zaznaczone powyżej.", "Проверьте отмеченные выше фильтры."),
    "Campaigns": ("Kampanie", "Кампании"),
    "Campaigns and their messages. A new campaign is made from a saved segment.": (
        "Kampanie i ich wiadomości. Nową kampanię tworzy się z zapisanego segmentu.",
        "Кампании и их сообщения. Новая кампания создаётся из сохранённого сегмента."),
    "Purpose": ("Cel", "Цель"),
    "Starts on": ("Początek", "Начало"),
    "No campaigns yet.": ("Nie ma jeszcze kampanii.", "Кампаний пока нет."),
    "starts on %(day)s": ("początek %(day)s", "начало %(day)s"),
    "Status": ("Stan", "Статус"),
    "The campaign has no members you may see.": ("Kampania nie ma odbiorców, których możesz widzieć.", "В кампании нет участников, которых вы можете видеть."),
    "Message": ("Wiadomość", "Сообщение"),
    "Every message ends with the customer's own unsubscribe link.": (
        "Każda wiadomość kończy się własnym linkiem klienta do wypisania się.",
        "Каждое сообщение заканчивается персональной ссылкой клиента для отписки."),
    "Sending": ("Wysyłka", "Отправка"),
    "Members": ("Odbiorcy", "Участники"),
    "With marketing consent on this channel": ("Ze zgodą marketingową na tym kanale", "С согласием на маркетинг по этому каналу"),
    "Send a test to me": ("Wyślij test do mnie", "Отправить тест мне"),
    "Your account has no email address.": ("Twoje konto nie ma adresu e-mail.", "У вашей учётной записи нет адреса электронной почты."),
    "Send to every member not yet sent to": ("Wyślij do wszystkich odbiorców, do których jeszcze nie wysłano", "Отправить всем участникам, которым ещё не отправлено"),
    "Send": ("Wyślij", "Отправить"),
    "Stop sending": ("Zatrzymaj wysyłkę", "Остановить отправку"),
    "Deliveries": ("Doręczenia", "Доставка"),
    "A test was sent to %(to)s.": ("Test wysłano na adres %(to)s.", "Тест отправлен на адрес %(to)s."),
    "Sent: %(sent)s; suppressed for lack of consent: %(suppressed)s; failed: %(failed)s.": (
        "Wysłano: %(sent)s; wstrzymano z braku zgody: %(suppressed)s; nieudane: %(failed)s.",
        "Отправлено: %(sent)s; исключено из-за отсутствия согласия: %(suppressed)s; с ошибкой: %(failed)s."),
    "Your account has no email address to send the test to.": (
        "Twoje konto nie ma adresu e-mail, na który można wysłać test.",
        "У вашей учётной записи нет адреса электронной почты для теста."),
    "The message is not complete: an email needs a subject and a text.": (
        "Wiadomość jest niepełna: e-mail wymaga tematu i treści.",
        "Сообщение не готово: письму нужны тема и текст."),
    "The mail server did not accept the test mail.": ("Serwer pocztowy nie przyjął wiadomości testowej.", "Почтовый сервер не принял тестовое письмо."),
    "Tick the box to confirm the sending.": ("Zaznacz pole, aby potwierdzić wysyłkę.", "Отметьте поле, чтобы подтвердить отправку."),
    "The SMS gateway is not configured.": ("Bramka SMS nie jest skonfigurowana.", "SMS-шлюз не настроен."),
    "Campaign name": ("Nazwa kampanii", "Название кампании"),
    "Plain text. {{ name }} is replaced by the customer's name; the unsubscribe link is added below.": (
        "Zwykły tekst. {{ name }} zostanie zastąpione imieniem i nazwiskiem klienta; link do wypisania się zostanie dodany na końcu.",
        "Обычный текст. {{ name }} заменяется именем клиента; ссылка для отписки добавляется в конце."),
    "An email needs a subject.": ("E-mail wymaga tematu.", "Письму нужна тема."),
    "Top 20 % by CLV": ("Najlepsze 20 % według CLV", "Лучшие 20 % по CLV"),
    "Next 30 % by CLV": ("Kolejne 30 % według CLV", "Следующие 30 % по CLV"),
    "Remaining 50 % by CLV": ("Pozostałe 50 % według CLV", "Остальные 50 % по CLV"),
    "Acquisition": ("Pozyskanie", "Привлечение"),
    "Retention": ("Utrzymanie", "Удержание"),
    "Add-on selling": ("Sprzedaż dodatkowa", "Допродажи"),
    "Win-back": ("Odzyskanie", "Возврат клиентов"),
    # model page
    "actual": ("rzeczywiste", "фактически"),
    "expected": ("oczekiwane", "ожидалось"),
    "Expected and actual repeat transactions": ("Oczekiwane i rzeczywiste powtórne transakcje", "Ожидаемые и фактические повторные покупки"),
    "Cumulative repeat transactions of the calibration customers per period: the solid line is what they did, the dashed line what the model fitted on the calibration period expected; the shaded part is the holdout period the model did not see.": (
        "Skumulowane powtórne transakcje klientów z okresu kalibracji w kolejnych okresach: linia ciągła to to, co zrobili, linia przerywana to oczekiwania modelu dopasowanego na okresie kalibracji; zacieniona część to okres testowy, którego model nie widział.",
        "Накопленные повторные покупки клиентов калибровочного периода по периодам: сплошная линия — что они сделали, пунктирная — чего ожидала модель, подобранная на калибровочном периоде; затенённая часть — контрольный период, которого модель не видела."),
    "Running": ("W toku", "Выполняется"),
    "Succeeded": ("Zakończony", "Завершён"),
    "Model": ("Model", "Модель"),
    "Lifetime-value model": ("Model wartości klienta", "Модель пожизненной ценности"),
    "Run %(id)s of %(date)s: %(customers)s customers with %(transactions)s transactions.": (
        "Przebieg %(id)s z %(date)s: %(customers)s klientów, %(transactions)s transakcji.",
        "Расчёт %(id)s от %(date)s: %(customers)s клиентов, %(transactions)s покупок."),
    "Chosen model": ("Wybrany model", "Выбранная модель"),
    "Why": ("Dlaczego", "Почему"),
    "Fitted parameters of the purchase model": ("Dopasowane parametry modelu zakupów", "Подобранные параметры модели покупок"),
    "Parameter": ("Parametr", "Параметр"),
    "Value": ("Wartość", "Значение"),
    "Standard error": ("Błąd standardowy", "Стандартная ошибка"),
    "Log-likelihood": ("Logarytm wiarygodności", "Логарифм правдоподобия"),
    "AIC": ("AIC (kryterium Akaikego)", "AIC (критерий Акаике)"),
    "BIC": ("BIC (kryterium Schwarza)", "BIC (критерий Шварца)"),
    "Spend model (Gamma-Gamma)": ("Model wydatków (Gamma-Gamma)", "Модель трат (гамма-гамма)"),
    "Data and settings": ("Dane i ustawienia", "Данные и настройки"),
    "Transactions from": ("Transakcje od", "Покупки с"),
    "Calibration until": ("Kalibracja do", "Калибровка до"),
    "Observed until": ("Obserwacja do", "Наблюдение до"),
    "Holdout": ("Okres testowy", "Контрольный период"),
    "Model requested": ("Żądany model", "Запрошенная модель"),
    "CLV horizon": ("Horyzont CLV", "Горизонт CLV"),
    "Annual discount rate": ("Roczna stopa dyskontowa", "Годовая ставка дисконтирования"),
    "Margin rate": ("Stopa marży", "Норма маржи"),
    "Holdout check: expected and actual repeat transactions": (
        "Test na okresie testowym: oczekiwane i rzeczywiste powtórne transakcje",
        "Проверка на контрольном периоде: ожидаемые и фактические повторные покупки"),
    "Per customer in the holdout period: mean absolute error %(mae)s, root mean squared error %(rmse)s, correlation %(corr)s.": (
        "Na klienta w okresie testowym: średni błąd bezwzględny %(mae)s, pierwiastek błędu średniokwadratowego %(rmse)s, korelacja %(corr)s.",
        "На клиента в контрольном периоде: средняя абсолютная ошибка %(mae)s, среднеквадратичная ошибка %(rmse)s, корреляция %(corr)s."),
    "In total %(actual)s repeat transactions happened; the model expected %(predicted)s.": (
        "Łącznie odbyło się %(actual)s powtórnych transakcji; model oczekiwał %(predicted)s.",
        "Всего совершено %(actual)s повторных покупок; модель ожидала %(predicted)s."),
    "Period starting": ("Początek okresu", "Начало периода"),
    "Expected": ("Oczekiwane", "Ожидалось"),
    "Actual": ("Rzeczywiste", "Фактически"),
    "Part": ("Część", "Часть"),
    "holdout": ("okres testowy", "контрольный период"),
    "calibration": ("kalibracja", "калибровка"),
    "The tracking curve was not stored with this run.": (
        "Krzywa śledzenia nie została zapisana w tym przebiegu.",
        "Кривая отслеживания не сохранена в этом расчёте."),
    "Model comparison on the holdout period": ("Porównanie modeli na okresie testowym", "Сравнение моделей на контрольном периоде"),
    "Each model is fitted on the calibration period and ranked by how well it predicts each customer's repeat transactions in the holdout period; the best one is refitted on all data and scores the customers.": (
        "Każdy model jest dopasowywany na okresie kalibracji i oceniany według tego, jak dobrze przewiduje powtórne transakcje każdego klienta w okresie testowym; najlepszy jest dopasowywany ponownie na wszystkich danych i ocenia klientów.",
        "Каждая модель подбирается на калибровочном периоде и ранжируется по тому, насколько точно она предсказывает повторные покупки каждого клиента в контрольном периоде; лучшая подбирается заново на всех данных и оценивает клиентов."),
    "Rank": ("Miejsce", "Место"),
    "RMSE": ("RMSE (pierwiastek błędu średniokwadratowego)", "RMSE (среднеквадратичная ошибка)"),
    "MAE": ("MAE (średni błąd bezwzględny)", "MAE (средняя абсолютная ошибка)"),
    "Correlation": ("Korelacja", "Корреляция"),
    "Expected in holdout": ("Oczekiwane w okresie testowym", "Ожидалось в контрольном периоде"),
    "Actual in holdout": ("Rzeczywiste w okresie testowym", "Фактически в контрольном периоде"),
    "Total error": ("Błąd łączny", "Суммарная ошибка"),
    "Parameters": ("Parametry", "Параметры"),
    "chosen": ("wybrany", "выбрана"),
    "Only the requested model was fitted in this run.": (
        "W tym przebiegu dopasowano tylko żądany model.",
        "В этом расчёте подобрана только запрошенная модель."),
    "Recent model runs": ("Ostatnie przebiegi modelu", "Последние расчёты модели"),
    "Started": ("Rozpoczęty", "Начат"),
    "Holdout RMSE": ("RMSE w okresie testowym", "RMSE на контрольном периоде"),
    "shown": ("wyświetlany", "показан"),
    "period starting": ("początek okresu", "начало периода"),
    "repeat transactions, cumulative": ("powtórne transakcje, narastająco", "повторные покупки, нарастающим итогом"),
    "No exchange rate for this currency": ("Brak kursu wymiany dla tej waluty", "Нет обменного курса для этой валюты"),
    "Stage totals in %(currency)s, other currencies at their latest exchange rate.": (
        "Sumy etapów w %(currency)s, inne waluty po ostatnim kursie wymiany.",
        "Итоги этапов в %(currency)s, другие валюты по последнему обменному курсу."),
    "against the 365 days before": ("w porównaniu z 365 dniami wcześniej", "по сравнению с 365 днями до того"),
    "This campaign is being sent already.": ("Ta kampania jest już wysyłana.", "Эта кампания уже отправляется."),
    "%(done)s of %(total)s members done": (
        "Gotowe: %(done)s z %(total)s odbiorców", "Готово: %(done)s из %(total)s участников"),
}

# msgid (singular) → the four plural forms in Polish and in Russian (nplurals=4 in both).
PLURALS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "%(n)s answer in the last 365 days": (
        ("%(n)s odpowiedź w ostatnich 365 dniach", "%(n)s odpowiedzi w ostatnich 365 dniach",
         "%(n)s odpowiedzi w ostatnich 365 dniach", "%(n)s odpowiedzi w ostatnich 365 dniach"),
        ("%(n)s ответ за последние 365 дней", "%(n)s ответа за последние 365 дней",
         "%(n)s ответов за последние 365 дней", "%(n)s ответов за последние 365 дней"),
    ),
    "%(n)s deal": (
        ("%(n)s szansa", "%(n)s szanse", "%(n)s szans", "%(n)s szansy"),
        ("%(n)s сделка", "%(n)s сделки", "%(n)s сделок", "%(n)s сделки"),
    ),
    "and %(n)s more": (
        ("i jeszcze %(n)s", "i jeszcze %(n)s", "i jeszcze %(n)s", "i jeszcze %(n)s"),
        ("и ещё %(n)s", "и ещё %(n)s", "и ещё %(n)s", "и ещё %(n)s"),
    ),
    "Its members will be the %(shown)s customer of the segment now.": (
        ("Jej odbiorcami będzie %(shown)s klient segmentu w tej chwili.", "Jej odbiorcami będzie %(shown)s klientów segmentu w tej chwili.",
         "Jej odbiorcami będzie %(shown)s klientów segmentu w tej chwili.", "Jej odbiorcami będzie %(shown)s klienta segmentu w tej chwili."),
        ("Её участниками станут %(shown)s клиент сегмента на данный момент.", "Её участниками станут %(shown)s клиента сегмента на данный момент.",
         "Её участниками станут %(shown)s клиентов сегмента на данный момент.", "Её участниками станут %(shown)s клиента сегмента на данный момент."),
    ),
    "customer selected": (
        ("klient wybrany", "klientów wybranych", "klientów wybranych", "klienta wybranego"),
        ("клиент выбран", "клиента выбрано", "клиентов выбрано", "клиента выбрано"),
    ),
    "%(n)s week": (
        ("%(n)s tydzień", "%(n)s tygodnie", "%(n)s tygodni", "%(n)s tygodnia"),
        ("%(n)s неделя", "%(n)s недели", "%(n)s недель", "%(n)s недели"),
    ),
    "%(n)s day": (
        ("%(n)s dzień", "%(n)s dni", "%(n)s dni", "%(n)s dnia"),
        ("%(n)s день", "%(n)s дня", "%(n)s дней", "%(n)s дня"),
    ),
    "Sending was stopped on %(when)s; %(n)s member not yet sent to stays queued, and Send takes it up again.": (
        ("Wysyłkę zatrzymano %(when)s; %(n)s odbiorca, do którego jeszcze nie wysłano, pozostaje w kolejce, a „Wyślij” wznowi wysyłkę.",
         "Wysyłkę zatrzymano %(when)s; %(n)s odbiorcy, do których jeszcze nie wysłano, pozostają w kolejce, a „Wyślij” wznowi wysyłkę.",
         "Wysyłkę zatrzymano %(when)s; %(n)s odbiorców, do których jeszcze nie wysłano, pozostaje w kolejce, a „Wyślij” wznowi wysyłkę.",
         "Wysyłkę zatrzymano %(when)s; %(n)s odbiorcy, do których jeszcze nie wysłano, pozostaje w kolejce, a „Wyślij” wznowi wysyłkę."),
        ("Отправка остановлена %(when)s; %(n)s участник, которому ещё не отправлено, остаётся в очереди, и «Отправить» возобновит отправку.",
         "Отправка остановлена %(when)s; %(n)s участника, которым ещё не отправлено, остаются в очереди, и «Отправить» возобновит отправку.",
         "Отправка остановлена %(when)s; %(n)s участников, которым ещё не отправлено, остаются в очереди, и «Отправить» возобновит отправку.",
         "Отправка остановлена %(when)s; %(n)s участника, которым ещё не отправлено, остаются в очереди, и «Отправить» возобновит отправку."),
    ),
    "Sending to %(n)s member in the background; this page follows it.": (
        ("Wysyłka do %(n)s odbiorcy trwa w tle; ta strona pokazuje jej postęp.",
         "Wysyłka do %(n)s odbiorców trwa w tle; ta strona pokazuje jej postęp.",
         "Wysyłka do %(n)s odbiorców trwa w tle; ta strona pokazuje jej postęp.",
         "Wysyłka do %(n)s odbiorcy trwa w tle; ta strona pokazuje jej postęp."),
        ("Отправка %(n)s участнику идёт в фоне; эта страница следит за ней.",
         "Отправка %(n)s участникам идёт в фоне; эта страница следит за ней.",
         "Отправка %(n)s участникам идёт в фоне; эта страница следит за ней.",
         "Отправка %(n)s участника идёт в фоне; эта страница следит за ней."),
    ),
}


# (msgctxt, msgid) → Polish, Russian: a word that reads differently in another place.
CONTEXTUAL: dict[tuple[str, str], tuple[str, str]] = {
    ("send status", "Sending"): ("W trakcie wysyłki", "Отправляется"),
}


def main() -> None:  # pragma: no cover - a maintenance script
    from pathlib import Path

    import polib  # only needed to (re)write the catalogues

    here = Path(__file__).resolve().parent
    missing = set()
    for index, lang in enumerate(("pl", "ru")):
        path = here / lang / "LC_MESSAGES" / "django.po"
        po = polib.pofile(str(path))
        po.metadata.update({
            "Language": lang, "Project-Id-Version": "Clientela web", "Last-Translator": "Clientela team",
            "Language-Team": {"pl": "Polski", "ru": "Русский"}[lang], "PO-Revision-Date": "2026-11-23 17:00+0100",
        })
        for entry in po:
            if entry.msgid_plural:
                forms = PLURALS.get(entry.msgid)
                if forms is None:
                    missing.add(entry.msgid)
                    continue
                entry.msgstr_plural = dict(enumerate(forms[index]))
            elif entry.msgctxt:
                if (entry.msgctxt, entry.msgid) in CONTEXTUAL:
                    entry.msgstr = CONTEXTUAL[(entry.msgctxt, entry.msgid)][index]
                else:
                    missing.add(f"{entry.msgctxt}|{entry.msgid}")
            elif entry.msgid in T:
                entry.msgstr = T[entry.msgid][index]
            else:
                missing.add(entry.msgid)
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            # makemessages' guess of a similar old entry ("#| msgid"): translated now.
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
        po.metadata_is_fuzzy = False
        po.save(str(path))
    if missing:
        raise SystemExit("no translation for:\n" + "\n".join(sorted(missing)))


if __name__ == "__main__":
    main()
