package io.ordinaut.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import io.ordinaut.support.Api;
import io.ordinaut.support.NodeTestSupport;

/**
 * The console in a real headless Chromium against a real node: what an operator and an agent's owner do
 * with it, with every page checked for browser-console errors and photographed to
 * target/console-screenshots/.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest extends NodeTestSupport {

    private static Browser browser;

    @BeforeAll
    static void startBrowser() throws IOException {
        browser = Browser.start();
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (browser != null) {
            browser.close();
        }
    }

    private String console() {
        return "http://127.0.0.1:" + port + "/console";
    }

    private void signIn(String token) {
        browser.errors();
        browser.open(console());
        if (!browser.all("button.link").isEmpty()) {
            browser.find("button.link").click();
        }
        WebElement field = browser.find("#token");
        field.clear();
        field.sendKeys(token);
        field.sendKeys(Keys.ENTER);
        browser.awaitPage("tasks");
    }

    /** As a person does it: select all, type over it (each key an input event, as the page expects). */
    private static void replaceText(WebElement field, String text) {
        field.sendKeys(Keys.chord(Keys.CONTROL, "a"), text);
    }

    private void confirmDialog() {
        browser.find("dialog[open] button.primary, dialog[open] button.danger").click();
        browser.until(d -> d.findElements(By.cssSelector("dialog[open]")).isEmpty(), "the dialog closed");
    }

    private void assertNoConsoleErrors(String page) {
        assertThat(browser.errors()).as("browser console errors on " + page).isEmpty();
    }

    /**
     * As above, except Chromium's own line for a 404 of the admin endpoints (GET /admin/queue, /admin/scheduler):
     * a node of a release without them answers 404, which the console shows as "not available on this node".
     */
    private void assertNoConsoleErrorsBesidesMissingAdminEndpoints(String page) {
        assertThat(browser.errors().stream()
                .filter(e -> !(e.matches(".*/admin/(queue|scheduler) .*") && e.contains("404"))).toList())
                .as("browser console errors on " + page).isEmpty();
    }

    @Test
    @Order(1)
    void the_console_shell_is_public_and_served_with_a_strict_content_security_policy() {
        Api anonymous = api.as(null);
        Api.Response shell = anonymous.get("/console").expect(200);
        assertThat(shell.body()).contains("<script type=\"module\" src=\"/console/app.js\">").doesNotContain("<script>").doesNotContain("style=");
        String policy = shell.header("Content-Security-Policy");
        assertThat(policy).contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'")
                .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
        assertThat(anonymous.get("/console/app.js").expect(200).header("Content-Security-Policy")).isEqualTo(policy);
        // Libraries come from WebJars in the jar, their versions resolved by the locator.
        assertThat(anonymous.get("/console/lib/lit-html/lit-html.js").expect(200).body()).contains("lit-html");
        anonymous.get("/console/lib/uplot/dist/uPlot.esm.js").expect(200);
        // The shell carries no data: the API behind it still wants a token.
        anonymous.get("/tasks").expect(401);
    }

    @Test
    @Order(2)
    void an_admin_creates_a_task_in_the_playground_runs_it_watches_its_trace_and_pauses_it() throws IOException {
        signIn(Api.ADMIN_TOKEN);
        assertNoConsoleErrors("tasks");

        browser.go("#/playground", "playground");
        browser.until(d -> d.findElements(By.cssSelector("#occurrences li")).size() == 20, "the example's occurrences");
        assertNoConsoleErrors("playground");
        new Select(browser.find("#kind")).selectByVisibleText("cron");
        WebElement expr = browser.find("#expr");
        replaceText(expr, "0 25 * * *");
        String message = browser.until(d -> {
            String text = d.findElement(By.id("expr-error")).getText();
            return text.isBlank() ? null : text;
        }, "the validation message under the expression");
        assertThat(message).contains("hour");
        assertThat(expr.getAttribute("aria-invalid")).isEqualTo("true");
        new Select(browser.find("#kind")).selectByVisibleText("rrule");
        replaceText(expr, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0");
        replaceText(browser.find("#zone"), "Europe/Chisinau");
        browser.until(d -> d.findElements(By.cssSelector("#occurrences li")).size() == 20
                && d.findElement(By.id("expr-error")).getText().isBlank()
                && d.findElement(By.cssSelector(".schedule-words")).getText().contains("Europe/Chisinau"), "20 occurrences");
        assertThat(browser.find(".schedule-words").getText()).isEqualTo("at 09:00 on weekdays, Europe/Chisinau");
        browser.errors(); // 400s for what was typed on the way (the invalid cron above) are the point of this step
        browser.screenshot("03-playground");

        browser.find("#create-from").click();
        browser.find("#task-title").sendKeys("Console briefing");
        browser.find("form.create button[type=submit]").click();
        browser.awaitPage("task");
        browser.until(d -> d.findElement(By.tagName("h1")).getText().contains("Console briefing")
                && d.findElements(By.cssSelector("ol.occurrences li")).size() == 20, "the new task's page");
        String taskId = (String) ((JavascriptExecutor) browser.driver).executeScript("return location.hash.split('/')[2]");
        Map<String, Object> task = api.get("/tasks/" + taskId).expect(200).map();
        assertThat(task).containsEntry("schedule_kind", "rrule").containsEntry("timezone", "Europe/Chisinau").containsEntry("status", "active");
        assertThat(browser.all("table.calendar")).hasSize(1);
        assertThat(browser.find("ol.pipeline").getText()).contains("hello", "demo.echo");
        assertNoConsoleErrors("task");

        // The task's next three fire times, in its zone and the viewer's.
        browser.go("#/tasks", "tasks");
        String row = "tr[data-task-id='" + taskId + "']";
        browser.until(d -> d.findElements(By.cssSelector(row + " ol.times li")).size() == 3, "three next fire times");
        List<String> expected = api.get("/tasks/" + taskId + "/preview?count=3").expect(200).map().get("occurrences") instanceof List<?> l
                ? l.stream().map(String::valueOf).toList() : List.of();
        List<String> shown = browser.all(row + " ol.times time").stream().map(t -> t.getAttribute("datetime")).toList();
        assertThat(shown).isEqualTo(expected);
        assertThat(browser.find(row + " td.schedule").getText()).startsWith("at 09:00 on weekdays, Europe/Chisinau");
        assertNoConsoleErrors("tasks");
        browser.screenshot("01-tasks");

        // Run now (with its confirmation), then watch the run arrive live with its trace.
        browser.find(row + " button[data-action=run_now]").click();
        confirmDialog();
        browser.find("main p.ok");
        browser.go("#/runs/" + taskId, "runs");
        browser.until(d -> d.findElements(By.cssSelector("table.runs .status-succeeded")).size() == 1, "the run succeeded in the list");
        browser.find("table.runs tbody tr button.small").click();
        WebElement trace = browser.find("#run-detail ol.trace");
        assertThat(trace.getText()).contains("hello", "demo.echo", "ok", "input", "output");
        assertThat(browser.find("#run-detail").getText()).contains("Hello from the console");
        assertNoConsoleErrors("runs");
        browser.screenshot("04-runs");

        // Pause, from the task's own page.
        browser.go("#/task/" + taskId, "task");
        browser.find("button[data-action=pause]").click();
        confirmDialog();
        browser.until(d -> d.findElement(By.tagName("h1")).getText().contains("paused"), "the task shown paused");
        assertThat(api.get("/tasks/" + taskId).expect(200).string("status")).isEqualTo("paused");
        assertNoConsoleErrors("task after pause");
        browser.screenshot("02-task");
    }

    @Test
    @Order(3)
    void every_admin_page_loads_without_console_errors() throws IOException {
        for (int i = 0; i < 2; i++) {
            api.post("/tasks", Map.of("title", "Nightly report " + i, "schedule_kind", "cron", "schedule_expr", "30 2 * * *",
                    "timezone", "America/New_York", "payload", Map.of("pipeline", List.of()))).expect(201);
        }
        signIn(Api.ADMIN_TOKEN);
        for (String page : List.of("queue", "cluster", "agents", "runs", "playground", "tasks")) {
            browser.go("#/" + page, page);
            assertNoConsoleErrorsBesidesMissingAdminEndpoints(page);
            browser.screenshot("page-" + page);
        }
        browser.go("#/cluster", "cluster");
        assertThat(browser.all("table.workers tbody tr")).isNotEmpty();
        browser.find("table.schedules");
        WebElement shared = browser.all("table.schedules tbody tr").stream()
                .filter(r -> r.getText().startsWith("at 02:30 every day, America/New_York")).findFirst().orElseThrow();
        assertThat(shared.findElements(By.tagName("td")).get(1).getText()).as("tasks on the shared schedule").isEqualTo("2");
        // How shared schedules fire follows the node's firing mode (windows by default: no trigger per schedule).
        String firingMode = api.get("/admin/scheduler").expect(200).string("firing_mode");
        assertThat(browser.find("#shared-how").getText()).contains("(" + firingMode + " firing mode)");
        assertNoConsoleErrorsBesidesMissingAdminEndpoints("cluster");
        // Phone width: the menu folds, the task rows become cards.
        browser.width(390, 844);
        browser.go("#/tasks", "tasks");
        browser.screenshot("05-tasks-phone");
        browser.find("button.menu").click();
        browser.find("nav.open a[data-page=runs]");
        browser.width(1280, 900);
        assertNoConsoleErrors("tasks on a phone");
    }

    @Test
    @Order(4)
    void a_non_admin_sees_only_its_own_tasks_and_no_cluster_pages() {
        String adminTask = api.post("/tasks", Map.of("title", "Admin's private task", "schedule_kind", "cron", "schedule_expr", "0 6 * * *",
                "payload", Map.of("pipeline", List.of()))).expect(201).string("id");
        String agentId = api.post("/agents", Map.of("name", "console-viewer",
                "scopes", List.of("tasks:create", "tasks:read", "tasks:update", "runs:read", "runs:write"))).expect(201).string("id");
        String secret = api.post("/agents/" + agentId + "/credentials", Map.of()).expect(200).string("agent_secret");
        String token = api.as(null).post("/agents/auth/token", Map.of("agent_id", agentId, "agent_secret", secret)).expect(200).string("access_token");
        api.as(token).post("/tasks", Map.of("title", "Viewer's own task", "schedule_kind", "cron", "schedule_expr", "0 7 * * *",
                "payload", Map.of("pipeline", List.of()))).expect(201);

        // Signing in with the agent's id and secret: the console exchanges them for a token itself.
        browser.errors();
        browser.open(console());
        if (!browser.all("button.link").isEmpty()) {
            browser.find("button.link").click();
        }
        browser.find(".sign-in details summary").click();
        browser.find("#agent_id").sendKeys(agentId);
        browser.find("#agent_secret").sendKeys(secret);
        browser.find(".sign-in button[type=submit]").click();
        browser.awaitPage("tasks");
        browser.until(d -> d.findElement(By.tagName("main")).getText().contains("Viewer's own task"), "the agent's own task");
        assertThat(browser.find("main").getText()).doesNotContain("Admin's private task");
        assertThat(browser.all("tr[data-task-id='" + adminTask + "']")).isEmpty();
        assertThat(browser.all("nav a[data-page=cluster], nav a[data-page=queue], nav a[data-page=agents]")).isEmpty();
        assertNoConsoleErrors("tasks as a non-admin");

        browser.go("#/cluster", "cluster");
        assertThat(browser.find("main").getText()).contains("This page is for admins");
        browser.go("#/task/" + adminTask, "task");
        assertThat(browser.find("main .error").getText()).contains("not found");
        browser.errors(); // the 404 for another agent's task is what this step checks
    }

    @Test
    @Order(5)
    void schedules_read_in_words_and_daylight_saving_shifts_are_flagged_against_the_real_preview() {
        signIn(Api.ADMIN_TOKEN);
        Object springForward = api.post("/schedules/preview", Map.of("schedule_kind", "cron", "schedule_expr", "30 2 * * *",
                "timezone", "America/New_York", "after", "2026-03-07T00:00:00-05:00", "count", 3)).expect(200).get("occurrences");
        Object fallBack = api.post("/schedules/preview", Map.of("schedule_kind", "rrule", "schedule_expr", "FREQ=DAILY;BYHOUR=1;BYMINUTE=30",
                "timezone", "America/New_York", "after", "2026-10-31T12:00:00Z", "count", 3)).expect(200).get("occurrences");

        Object notes = ((JavascriptExecutor) browser.driver).executeAsyncScript("""
                const [spring, fall, done] = arguments;
                import('/console/words.js').then(w => done({
                  spring: Object.fromEntries(w.dstNotes('cron', '30 2 * * *', spring)),
                  fall: Object.fromEntries(w.dstNotes('rrule', 'FREQ=DAILY;BYHOUR=1;BYMINUTE=30', fall)),
                  words: [w.scheduleInWords('cron', '0 9 * * 1-5', 'Europe/Chisinau'),
                          w.scheduleInWords('rrule', 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;BYHOUR=17', 'UTC'),
                          w.scheduleInWords('cron', '*/15 * * * *', 'UTC'),
                          w.scheduleInWords('interval', 'PT1H30M', 'UTC')]}));""", springForward, fallBack);

        assertThat(notes).isEqualTo(Map.of(
                "spring", Map.of("2026-03-08T03:30:00-04:00", "02:30 does not exist on 8 March; runs at 03:30"),
                "fall", Map.of("2026-11-02T01:30:00-05:00", "clocks changed before 2 November: UTC-04:00 → UTC-05:00"),
                "words", List.of("at 09:00 on weekdays, Europe/Chisinau", "at 17:00 on the last weekday of the month, UTC",
                        "every 15 minutes, UTC", "every 1 hour and 30 minutes, UTC")));
        assertNoConsoleErrors("tasks");
    }

    @Test
    @Order(6)
    void an_offset_with_seconds_names_the_instant_it_says() {
        signIn(Api.ADMIN_TOKEN);
        // Monrovia kept UTC-00:44:30 until 1972: the preview writes the offset whole, and so must the console read it.
        Object occurrences = api.post("/schedules/preview", Map.of("schedule_kind", "cron", "schedule_expr", "0 12 * * *",
                "timezone", "Africa/Monrovia", "after", "1971-06-01T00:00:00Z", "count", 2)).expect(200).get("occurrences");
        assertThat(occurrences).isEqualTo(List.of("1971-06-01T12:00:00-00:44:30", "1971-06-02T12:00:00-00:44:30"));

        Object read = ((JavascriptExecutor) browser.driver).executeAsyncScript("""
                const [occurrences, done] = arguments;
                import('/console/words.js').then(w => done({
                  utc: w.inZone(occurrences[0], 'UTC', true),
                  offset: w.localParts(occurrences[0]).offset,
                  notes: Object.fromEntries(w.dstNotes('cron', '0 12 * * *', occurrences))}));""", occurrences);

        assertThat(read).isEqualTo(Map.of("utc", "Tue, 1 Jun 1971, 12:44:30", "offset", "-00:44:30", "notes", Map.of()));
    }

    private Object script(String async, Object... args) {
        return ((JavascriptExecutor) browser.driver).executeAsyncScript(async, args);
    }

    @Test
    @Order(7)
    void occurrences_show_the_wall_time_and_offset_the_server_wrote_and_the_year_when_it_is_not_this_year() {
        signIn(Api.ADMIN_TOKEN);
        // An offset the browser's zone data would not give Europe/Chisinau on that day: re-formatting the
        // instant with Intl shows another wall time (01:30), the server's string says 03:30.
        Object read = script("""
                const done = arguments[0];
                import('/console/words.js').then(w => done({
                  wall: w.wallTime('2027-03-28T03:30:00+05:00'),
                  intl: w.inZone('2027-03-28T03:30:00+05:00', 'Europe/Chisinau'),
                  seconds: w.wallTime('1971-06-01T12:00:00-00:44:30', true),
                  nextYear: w.inZone('2031-01-01T00:00:00Z', 'UTC'),
                  thisYear: w.inZone(new Date().toISOString(), 'UTC'),
                  wallThisYear: w.wallTime(`${new Date().getFullYear()}-06-01T09:00:00+02:00`)}));""");
        Map<?, ?> words = (Map<?, ?>) read;
        assertThat(words.get("wall")).isEqualTo("Sun, 28 Mar 2027, 03:30 UTC+05:00");
        assertThat((String) words.get("intl")).as("what Intl makes of it").doesNotContain("03:30");
        assertThat(words.get("seconds")).isEqualTo("Tue, 1 Jun 1971, 12:00 UTC-00:44:30");
        assertThat(words.get("nextYear")).isEqualTo("Wed, 1 Jan 2031, 00:00");
        assertThat((String) ((Map<?, ?>) read).get("thisYear")).doesNotMatch(".*\\b20\\d\\d\\b.*");
        assertThat((String) ((Map<?, ?>) read).get("wallThisYear")).matches("\\w{3} 1 Jun, 09:00 UTC\\+02:00");

        // The playground shows the server's wall time and offset in the schedule's zone.
        browser.go("#/playground", "playground");
        new Select(browser.find("#kind")).selectByVisibleText("once");
        replaceText(browser.find("#expr"), "2027-03-28T03:30:00");
        replaceText(browser.find("#zone"), "Europe/Chisinau");
        String occurrence = (String) ((List<?>) api.post("/schedules/preview", Map.of("schedule_kind", "once",
                "schedule_expr", "2027-03-28T03:30:00", "timezone", "Europe/Chisinau", "count", 20)).expect(200).get("occurrences")).get(0);
        String shown = browser.until(d -> d.findElements(By.cssSelector("#occurrences li time")).stream()
                .filter(t -> occurrence.equals(t.getAttribute("datetime"))).map(WebElement::getText).findFirst().orElse(null),
                "the once occurrence");
        assertThat(shown).isEqualTo("Sun, 28 Mar 2027, " + occurrence.substring(11, 16) + " UTC" + occurrence.substring(19));

        // A once instant in the past: no occurrence, and the page says why.
        replaceText(browser.find("#expr"), "2020-01-01T09:00:00");
        assertThat(browser.find("#no-occurrences").getText()).contains("in the past");
        browser.errors();
    }

    @Test
    @Order(8)
    void a_snoozed_occurrence_is_not_flagged_as_a_daylight_saving_gap() {
        String taskId = api.post("/tasks", Map.of("title", "Snoozed briefing", "schedule_kind", "rrule",
                "schedule_expr", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9", "timezone", "Europe/Chisinau",
                "payload", Map.of("pipeline", List.of()))).expect(201).string("id");
        api.post("/tasks/" + taskId + "/snooze", Map.of("delay_seconds", 7200)).expect(200);
        List<?> preview = (List<?>) api.get("/tasks/" + taskId + "/preview?count=100").expect(200).get("occurrences");
        assertThat((String) preview.get(0)).as("the snoozed occurrence leads the preview").contains("T11:00:00");

        signIn(Api.ADMIN_TOKEN);
        browser.go("#/task/" + taskId, "task");
        browser.until(d -> d.findElements(By.cssSelector("ol.occurrences li")).size() == 20, "the task's occurrences");
        assertThat(browser.all("ol.occurrences .note")).extracting(WebElement::getText).noneMatch(n -> n.contains("does not exist"));
        assertThat(browser.find("main").getText()).doesNotContain("does not exist");

        // A real gap at the head of a list is still one (the zone's offset a day earlier differs), and a note
        // repeated over the years is said once.
        Object read = script("""
                const done = arguments[0];
                import('/console/words.js').then(w => done({
                  gap: Object.fromEntries(w.dstNotes('cron', '30 2 * * *', ['2026-03-08T03:30:00-04:00'], 'America/New_York')),
                  snoozed: Object.fromEntries(w.dstNotes('rrule', 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9',
                      ['2026-12-02T11:00:00+02:00', '2026-12-03T09:00:00+02:00'], 'Europe/Chisinau')),
                  once: w.notesInWords(new Map([['a', 'x'], ['b', 'x'], ['c', 'y']]))}));""");
        assertThat(read).isEqualTo(Map.of(
                "gap", Map.of("2026-03-08T03:30:00-04:00", "02:30 does not exist on 8 March; runs at 03:30"),
                "snoozed", Map.of(),
                "once", "x; y"));
        assertNoConsoleErrors("task");
    }

    @Test
    @Order(9)
    void the_tasks_page_pages_through_every_task_each_row_with_its_fire_times_and_last_run() throws IOException {
        // given more tasks than the old first load of 60 previews, one of them with a run older than 5,000 newer ones
        // (20 days old: within ordinaut.runs.retention, 30 days, so the pruning duty leaves it)
        List<Map<String, Object>> bodies = new java.util.ArrayList<>();
        for (int i = 0; i < 70; i++) {
            bodies.add(Map.of("title", "Paged task " + i, "schedule_kind", "cron", "schedule_expr", "0 0 1 1 *",
                    "timezone", "UTC", "payload", Map.of("pipeline", List.of())));
        }
        api.post("/tasks/batch", Map.of("tasks", bodies, "atomic", true)).expect(200);
        String oldRunner = api.post("/tasks", Map.of("title", "Ran long ago", "schedule_kind", "cron", "schedule_expr", "0 3 * * *",
                "payload", Map.of("pipeline", List.of()))).expect(201).string("id");
        String busy = api.post("/tasks", Map.of("title", "Busy task", "schedule_kind", "cron", "schedule_expr", "0 4 * * *",
                "payload", Map.of("pipeline", List.of()))).expect(201).string("id");
        jdbc.sql("""
                INSERT INTO task_run (id, run_id, task_id, scheduled_for, trigger, attempt, status, success, started_at, finished_at, created_at)
                SELECT id, id, CAST(:task AS uuid), now() - interval '20 days', 'schedule', 1, 'succeeded', true,
                       now() - interval '20 days', now() - interval '20 days', now() - interval '20 days'
                  FROM (SELECT gen_random_uuid() AS id) r""").param("task", oldRunner).update();
        jdbc.sql("""
                INSERT INTO task_run (id, run_id, task_id, scheduled_for, trigger, attempt, status, success, started_at, finished_at, created_at)
                SELECT id, id, CAST(:task AS uuid), now() - interval '10 minutes', 'schedule', 1, 'succeeded', true,
                       now() - interval '10 minutes', now() - interval '10 minutes', now() - interval '10 minutes'
                  FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, 5001)) r""").param("task", busy).update();
        int total = ((Number) api.get("/tasks?limit=1").expect(200).get("total")).intValue();
        assertThat(total).isGreaterThan(75);

        signIn(Api.ADMIN_TOKEN);
        browser.go("#/tasks", "tasks");
        Map<String, String> lastRuns = new java.util.HashMap<>();
        int seen = 0;
        for (int page = 0; seen < total; page++) {
            int first = seen + 1;
            browser.until(d -> d.findElement(By.cssSelector("nav.pager")).getText().contains(first + "–"), "page from task " + first);
            // every row gets its next fire times (or a clear state) and its last run, whatever page it is on
            browser.until(d -> {
                List<WebElement> rows = d.findElements(By.cssSelector("table.tasks tbody tr"));
                return !rows.isEmpty() && rows.stream().allMatch(r -> !r.findElement(By.cssSelector("td.next")).getText().contains("…")
                        && !r.findElement(By.cssSelector("td.last-run")).getText().contains("…"));
            }, "every row's fire times and last run on page " + page);
            List<WebElement> rows = browser.all("table.tasks tbody tr");
            for (WebElement row : rows) {
                lastRuns.put(row.getAttribute("data-task-id"), row.findElement(By.cssSelector("td.last-run")).getText());
                if (row.getText().contains("Paged task")) {
                    // 0 0 1 1 * fires next on a 1 January of a later year: the year is shown
                    assertThat(row.findElements(By.cssSelector("ol.times time"))).extracting(WebElement::getText)
                            .hasSize(3).allMatch(t -> t.matches("\\w{3}, 1 Jan \\d{4}, 00:00 UTC\\+00:00"));
                }
            }
            if (page == 0) {
                assertThat(rows).hasSize(25);
                // at a laptop's 1280 px the Actions column is inside the table's frame, not clipped off
                Object fits = ((JavascriptExecutor) browser.driver).executeScript("""
                        const frame = document.querySelector('main .scroll').getBoundingClientRect();
                        const actions = document.querySelector('table.tasks thead th:last-child').getBoundingClientRect();
                        return actions.right <= frame.right + 1;""");
                assertThat(fits).as("the Actions column fits at 1280 px").isEqualTo(true);
                browser.screenshot("06-tasks-paged");
            }
            seen += rows.size();
            if (seen < total) {
                browser.find("nav.pager button[data-page=next]").click();
            }
        }
        assertThat(lastRuns).hasSize(total);
        assertThat(lastRuns.get(oldRunner)).startsWith("succeeded").contains("20 d ago");
        assertThat(lastRuns.get(busy)).startsWith("succeeded");

        // the status filter is the server's: paused tasks from every page
        api.post("/tasks/" + oldRunner + "/pause", "{}").expect(200);
        new Select(browser.find("select[name=status]")).selectByVisibleText("paused");
        int paused = ((Number) api.get("/tasks?status=paused&limit=1").expect(200).get("total")).intValue();
        browser.until(d -> d.findElement(By.cssSelector("nav.pager span")).getText().endsWith(" of " + paused), "the paused tasks' page");
        browser.until(d -> d.findElements(By.cssSelector("tr[data-task-id='" + oldRunner + "']")).size() == 1, "the paused task listed");
        assertThat(browser.all("table.tasks tbody tr")).allMatch(r -> r.findElement(By.cssSelector(".badge")).getText().equals("paused"));
        assertNoConsoleErrors("tasks pages");

        // the queue chart says when it counts only the newest 5,000 runs of the hour
        browser.go("#/queue", "queue");
        assertThat(browser.find("#chart-capped").getText()).contains("5,000");
        assertNoConsoleErrorsBesidesMissingAdminEndpoints("queue");

        // a new secret, already made, is acknowledged with one button: there is nothing to keep as it was
        browser.go("#/agents", "agents");
        WebElement viewer = browser.all("table.agents tbody tr").stream().filter(r -> r.getText().startsWith("console-viewer"))
                .findFirst().orElseThrow();
        viewer.findElements(By.tagName("button")).stream().filter(b -> b.getText().equals("Rotate credentials")).findFirst().orElseThrow().click();
        confirmDialog();
        browser.find("dialog[open] #agent-secret");
        assertThat(browser.all("dialog[open] .actions button")).extracting(WebElement::getText).containsExactly("I have stored it");
        confirmDialog();
        assertNoConsoleErrors("agents");
    }

    @Test
    @Order(10)
    void a_refused_retry_shows_the_apis_message_and_an_earlier_attempt_offers_no_retry() {
        // given an agent that may read runs but not retry them, with run X failed at attempt 2 and its attempt 1's row
        Api.AgentApi reader = api.newAgent("tasks:create", "tasks:read", "runs:read");
        String taskId = reader.api().post("/tasks", Map.of("title", "Flaky export", "schedule_kind", "cron", "schedule_expr", "0 5 * * *",
                "payload", Map.of("pipeline", List.of()))).expect(201).string("id");
        java.util.UUID runId = java.util.UUID.randomUUID();
        java.util.UUID attemptId = java.util.UUID.randomUUID();
        jdbc.sql("""
                INSERT INTO task_run (id, run_id, task_id, scheduled_for, trigger, attempt, status, success, started_at,
                                      finished_at, error, created_at)
                VALUES (:attempt, :run, CAST(:task AS uuid), now(), 'schedule', 1, 'failed', false, now(), now(),
                        'export: HTTP 503', now() - interval '1 minute'),
                       (:run, :run, CAST(:task AS uuid), now(), 'schedule', 2, 'failed', false, now(), now(),
                        'export: HTTP 400', now())""")
                .param("attempt", attemptId).param("run", runId).param("task", taskId).update();
        String refusal = reader.api().post("/runs/" + runId + "/retry", "{}").expect(403).string("message");

        signIn(reader.api().token());
        browser.go("#/runs/" + taskId, "runs");
        String runRow = "tr[data-run-id='" + runId + "']";
        String attemptRow = "tr[data-run-id='" + attemptId + "']";
        browser.find(attemptRow);
        assertThat(browser.find(attemptRow).getText()).as("the earlier attempt's row").doesNotContain("Retry");
        assertThat(browser.find(runRow).getText()).contains("Retry");

        browser.find(runRow + " button[data-action=retry]").click();
        confirmDialog();
        browser.until(d -> d.findElement(By.tagName("main")).getText().contains(refusal), "the API's refusal shown");
        // the list reloads after the action; the refusal stays
        browser.until(d -> d.findElements(By.cssSelector(runRow)).size() == 1, "the list reloaded");
        sleep(1500);
        assertThat(browser.find("main p.error").getText()).contains(refusal).contains("403");
        browser.errors(); // the 403 is what this step checks
    }

    @Test
    @Order(11)
    void an_error_page_that_is_not_json_is_shown_as_its_status_not_its_source() {
        browser.errors();
        browser.open(console());
        if (!browser.all("button.link").isEmpty()) {
            browser.find("button.link").click();
        }
        WebElement field = browser.find("#token");
        // a proxy in front of the node answers with its own HTML page
        ((JavascriptExecutor) browser.driver).executeScript("""
                window.fetch = async () => new Response('<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>',
                    { status: 502, statusText: 'Bad Gateway', headers: { 'Content-Type': 'text/html' } });""");
        field.sendKeys(Api.ADMIN_TOKEN, Keys.ENTER);
        assertThat(browser.find("#sign-in-error").getText()).isEqualTo("HTTP 502 Bad Gateway");

        Object message = script("""
                const done = arguments[0];
                import('/console/api.js').then(a => a.get('/tasks', { token: 'x' }).then(() => done('answered'), e => done(e.message)));""");
        assertThat(message).isEqualTo("HTTP 502 Bad Gateway");
        browser.open(console()); // the page's own fetch again
        browser.errors();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
