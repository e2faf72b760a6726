#!/usr/bin/python3
"""The portal in headless Chromium, driven by Selenium: what a member does, and what an
attacker tries. Run by PortalBrowserTests.swift against a suite it started; prints one line a
check and exits 1 when any failed. Screenshots at phone (390 px) and desktop width go to --shots."""
import argparse
import datetime
import time
import zoneinfo
import json
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

parser = argparse.ArgumentParser()
for name in ("base", "link", "code", "second-link", "second-code", "tomorrow", "soon", "others", "draft", "open", "consultation", "shots", "gateway"):
    parser.add_argument("--" + name, required=True)
args = parser.parse_args()
BASE = args.base
PASSWORD = "春风十里不如你2026"
SECOND_PASSWORD = "秋水共长天一色1949"
NEW_PASSWORD = "落霞与孤鹜齐飞1949"
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what, flush=True)
    if not condition:
        failures.append(what)


options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--lang=zh-CN"):
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
driver.set_page_load_timeout(30)


def text():
    return driver.find_element(By.TAG_NAME, "body").text


def shot(name):
    """The page at phone and desktop width; at phone width nothing may need sideways scrolling."""
    for width in (390, 1280):
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, max(700, min(height + 140, 4000)))
        if width == 390:
            scroll = driver.execute_script("return document.documentElement.scrollWidth")
            check(scroll <= 390, f"{name}: fits a 390-px phone screen (content {scroll} px wide)")
        driver.save_screenshot(f"{args.shots}/{name}-{width}.png")
    driver.set_window_size(1280, 900)


def click(button):
    """Clicks and waits for the next page to load."""
    marker = driver.execute_script("return window.__page = Math.random()")

    def loaded(d):
        try:
            return d.execute_script("return window.__page") != marker and d.execute_script("return document.readyState") == "complete"
        except WebDriverException:
            return False
    button.click()
    WebDriverWait(driver, 20).until(loaded)


def submit(form_action_suffix=None):
    forms = driver.find_elements(By.CSS_SELECTOR, "form.card")
    form = forms[0] if form_action_suffix is None else next(f for f in forms if f.get_attribute("action").endswith(form_action_suffix))
    click(form.find_element(By.TAG_NAME, "button"))


def sign_in(login, password):
    driver.delete_all_cookies()
    driver.get(BASE + "/login")
    driver.find_element(By.NAME, "login").send_keys(login)
    driver.find_element(By.NAME, "password").send_keys(password)
    submit()
    return driver.current_url.endswith("/inbox")


def accept(link, code, password):
    driver.delete_all_cookies()
    driver.get(link)
    driver.find_element(By.NAME, "code").send_keys(code)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.NAME, "confirm").send_keys(password)
    submit()
    return "密码已设置" in text()


def gateway(*arguments):
    return subprocess.run([args.gateway, *arguments], capture_output=True, text=True)


def act(action, **fields):
    """Fills and sends the proposal page's form for `action`."""
    form = driver.find_element(By.CSS_SELECTOR, f"form:has(input[name='action'][value='{action}'])")
    for name, value in fields.items():
        element = form.find_element(By.NAME, name)
        if element.tag_name == "select":
            Select(element).select_by_visible_text(value)
        else:
            element.send_keys(value)
    click(form.find_element(By.TAG_NAME, "button"))


def csrf():
    """The session's CSRF token, from the page's own forms."""
    return driver.find_element(By.NAME, "csrf").get_attribute("value")


def no_alert():
    try:
        driver.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def request(path, cookies=None):
    """A GET with the browser's cookies (or others), redirects not followed."""
    jar = cookies if cookies is not None else driver.get_cookies()
    headers = {"Cookie": "; ".join(f"{c['name']}={c['value']}" for c in jar)}
    try:
        with urllib.request.build_opener(NoRedirect).open(urllib.request.Request(BASE + path, headers=headers), timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def post(path, fields):
    """A form the attacker crafts by hand, sent with the browser's own cookies; redirects not followed."""
    cookies = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    request = urllib.request.Request(BASE + path, data=urllib.parse.urlencode(fields).encode(), headers={"Cookie": cookies})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


try:
    # 0. The public pages, without signing in: rooms, published meetings, publicised topics'
    # notices; nothing private, nothing not yet public.
    driver.get(BASE + "/public")
    page = text()
    check("新华社区协商议事室" in page and "老旧小区加装电梯" in page and "新华社区加装电梯协商会" in page, "the public page lists the room, the topic and the meeting")
    check("尚未公开的议题" not in page, "a topic not yet publicised is not shown")
    shot("public")
    click(driver.find_element(By.LINK_TEXT, "老旧小区加装电梯"))
    page = text()
    check("业主自愿、政府补贴" in page and "新华社区居务公开栏" in page, "the topic's public notice is shown")
    check("内部工作记录" not in driver.page_source and "staff" not in driver.page_source, "the working notes and who recorded them are not")
    shot("public-topic")
    driver.get(f"{BASE}/public/rooms/1")
    check("新华社区加装电梯协商会" in text() and "新华路18号" in text(), "the room's page lists its meeting")
    driver.get(f"{BASE}/public/meetings/{args.others}")
    check("文史资料征集座谈" in text() and "secret-link" not in driver.page_source, "a published meeting's public fields, not its online link")
    driver.get(f"{BASE}/public/meetings/{args.draft}")
    check("找不到该内容" in text(), "a draft meeting is not public")
    driver.get(f"{BASE}/public/topics/2")
    check("找不到该内容" in text() and "尚未公开的议题" not in text(), "a topic not yet publicised is not found")
    driver.get(BASE + "/meetings")
    check(urllib.parse.urlparse(driver.current_url).path == "/login", "members' pages still need signing in")

    # 1. The invitation: a wrong code counts, a weak password is refused, then the password is set.
    driver.get(args.link)
    check("登录名是 m13" in text(), "the invitation page names the login m13")
    shot("invite")
    driver.find_element(By.NAME, "code").send_keys("AAAAAAAA")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.NAME, "confirm").send_keys(PASSWORD)
    submit()
    check("邀请码不正确，还可尝试 4 次" in text(), "a wrong code is refused and counted")
    driver.find_element(By.NAME, "code").send_keys(args.code.lower())
    driver.find_element(By.NAME, "password").send_keys("short")
    driver.find_element(By.NAME, "confirm").send_keys("short")
    submit()
    check("密码至少 10 个字符" in text(), "a short password is refused")
    driver.find_element(By.NAME, "code").send_keys(args.code.lower())
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.NAME, "confirm").send_keys(PASSWORD)
    submit()
    check("密码已设置" in text(), "the password is set with the right code (typed in lower case)")
    driver.get(args.link)
    check("此邀请链接无效、已使用或已过期" in text(), "the link works once")

    # 2. First sign-in, the inbox.
    driver.get(BASE + "/inbox")
    check(urllib.parse.urlparse(driver.current_url).path == "/login", "a page needs signing in")
    shot("login")
    driver.find_element(By.NAME, "login").send_keys("m13")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit()
    check(driver.current_url.endswith("/inbox"), "signed in, the inbox opens")
    check("会议通知" in text() and "未读" in text(), "the inbox shows the meeting notices, unread first")
    check("委员履职服务平台邀请" in text() and args.code in text() and "登录名 m13" in text(), "the invitation came through the notifier to the inbox")
    shot("inbox")
    session = next(c for c in driver.get_cookies() if c["name"] == "xs_session")
    check(session.get("httpOnly") and session.get("sameSite") == "Strict", "the session cookie is HttpOnly and SameSite=Strict")
    click(driver.find_element(By.XPATH, "//button[text()='全部标为已读']"))
    check("未读 0 条" in text() and not driver.find_elements(By.XPATH, "//button[text()='全部标为已读']"), "mark all read")

    # 3. My meetings: mine only.
    driver.get(BASE + "/meetings")
    page = text()
    check("提案工作专题座谈" in page and "界别小组活动" in page, "my meetings are listed")
    check("文史资料征集座谈" not in page, "a meeting I am not invited to is not listed")
    shot("meetings")

    # 4. Leave, with a reason holding markup: stored and shown as text, never run.
    driver.get(f"{BASE}/meetings/{args.tomorrow}")
    check("关于提案办理情况的监督性调研报告（30 分钟，提案委员会）：监督性调研报告：草案，待表决" in text(),
          "the agenda shows each item with its document and what remains to decide")
    shot("meeting")
    Select(driver.find_element(By.NAME, "type")).select_by_visible_text("生病")
    driver.find_element(By.NAME, "reason").send_keys("赴省里参加<script>alert(1)</script>培训")
    submit("/leave")
    page = text()
    check("请假已提交" in page, "the leave request is sent")
    check("生病：赴省里参加<script>alert(1)</script>培训" in page, "the reason with <script> is shown as text")
    check(no_alert(), "no script ran")
    check(not driver.find_elements(By.CSS_SELECTOR, "form[action$='/leave']"), "no second leave form once requested")
    shot("meeting-leave")
    # Asked again by hand (the page offers no second form): refused in Chinese, naming the state.
    status, body = post(f"/meetings/{args.tomorrow}/leave", {"csrf": csrf(), "type": "other", "reason": "再请一次"})
    check(status == 400 and "已是「请假待批」，不能再请假" in body and "invitee" not in body,
          f"a second leave request is refused, saying why in Chinese ({status})")

    # 5. Terminal escapes in a text: refused with a clear message, nothing changed.
    driver.get(f"{BASE}/meetings/{args.soon}")
    driver.execute_script("document.querySelector(\"form[action$='/leave'] textarea\").value = arguments[0]", "\u001b[31m红字\u001b[0m")
    submit("/leave")
    check("未能完成" in text() and "填写的内容未通过检查" in text() and "事由：含有不能使用的看不见的字符" in text()
          and "control" not in text().lower(),
          "a reason with terminal escapes is refused, saying in Chinese which field and why")
    shot("refused")
    driver.get(f"{BASE}/meetings/{args.soon}")
    check("我的状态\n已邀请" in text(), "the refused leave changed nothing")

    # 6. My check-in code, shown at the door: staff check me in with it, and my page says so.
    code = driver.find_element(By.CSS_SELECTOR, ".code").text
    check(len(code) == 6 and code.isdigit(), "my six-digit check-in code is shown")
    shot("meeting-code")
    checked = subprocess.run([args.gateway, "meeting", "check-in", args.soon, "--code", code], capture_output=True, text=True)
    check(checked.returncode == 0, f"staff check me in at the door with it ({checked.stderr.strip()})")
    driver.get(f"{BASE}/meetings/{args.soon}")
    check("我的状态\n已签到" in text() and "签到码" not in text(), "my page shows me checked in")
    shot("meeting-checked-in")

    # 7. A proposal from draft to feedback: m13 writes it (a title with terminal escapes is
    # refused; one with <script> is kept as text), invites m14, who co-signs; m13 submits; staff
    # file and assign it to unit 1, which signs for it and replies on the portal; m13 answers.
    driver.get(BASE + "/proposals")
    click(driver.find_element(By.LINK_TEXT, "写提案"))
    shot("proposal-new")
    driver.execute_script("document.querySelector(\"input[name='title']\").value = arguments[0]", "关于\u001b[2J清屏的建议")
    driver.find_element(By.NAME, "body").send_keys("正文")
    submit()
    check("未能完成" in text() and "案由：含有不能使用的看不见的字符" in text(), "a title with terminal escapes is refused, saying why")
    driver.get(BASE + "/proposals/new")
    title = "关于<script>alert('提案')</script>加装电梯的建议"
    driver.find_element(By.NAME, "title").send_keys(title)
    driver.find_element(By.NAME, "category").send_keys("城市建设")
    driver.find_element(By.NAME, "body").send_keys("全市2000年前建成的住宅多无电梯，老年住户出行困难。\n建议：一、简化审批；二、财政补贴。")
    submit()
    match = re.search(r"/proposals/(\d+)", driver.current_url)
    check(match is not None and "草稿已保存" in text(), "the draft is saved")
    proposal = match.group(1) if match else "0"
    check(driver.find_element(By.TAG_NAME, "h1").text == title and no_alert(), "the title with <script> is shown as text, no script ran")
    act("invite-cosigners", members="14")
    check("征集附议" in text() and "（待附议）" in text(), "m14 is invited to co-sign")
    shot("proposal-draft")

    check(accept(args.second_link, args.second_code, SECOND_PASSWORD), "m14 sets a password")
    check(sign_in("m14", SECOND_PASSWORD), "m14 signs in")
    driver.get(f"{BASE}/proposals/{proposal}")
    act("cosign")
    check("（已附议）" in text(), "m14 co-signs")
    driver.get(BASE + "/proposals/new")
    # Pasted from a document: a zero-width space in the title, Word's manual line break
    # (U+000B) and a byte-order mark in the text; kept as the person saw them.
    driver.execute_script("document.querySelector(\"input[name='title']\").value = arguments[0]", "孙春梅的\u200b草稿")
    driver.execute_script("document.querySelector(\"textarea[name='body']\").value = arguments[0]", "\ufeff未提交\u000b第二行")
    submit()
    draft_of_m14 = re.search(r"/proposals/(\d+)", driver.current_url).group(1)
    check(driver.find_element(By.TAG_NAME, "h1").text == "孙春梅的草稿" and "未提交\n第二行" in text(),
          "pasted text with a zero-width space and Word's line break is saved as the person saw it")

    check(sign_in("m13", PASSWORD), "m13 signs in again")
    driver.get(f"{BASE}/proposals/{draft_of_m14}")
    check("找不到该内容，或您无权查看" in text() and "孙春梅的草稿" not in text(), "another member's draft by its id: not found")
    driver.get(f"{BASE}/proposals/{proposal}")
    act("submit")
    check("已提交" in text(), "m13 submits")
    for step in (["proposal", "act", proposal, "file"], ["proposal", "act", proposal, "assign", "--lead-unit", "1"]):
        done = gateway(*step)
        check(done.returncode == 0, f"staff: {' '.join(step[3:])} ({done.stderr.strip()})")
    invited = gateway("portal", "invite", "--unit", "1", "--json")
    unit = json.loads(invited.stdout)["invitation"] if invited.returncode == 0 else {}
    check(unit.get("account", {}).get("login") == "u1", "staff invite unit 1")
    check(accept(unit.get("link", BASE), unit.get("code", ""), "住建局办理提案2026"), "unit 1 sets a password")
    check(sign_in("u1", "住建局办理提案2026"), "unit 1 signs in")
    driver.get(BASE + "/proposals")
    check(title in text() and "办理期限" in text() and "主办" in text(), "the unit sees the proposal assigned to it, with its deadline")
    shot("unit-proposals")
    driver.get(f"{BASE}/proposals/{proposal}")
    act("sign-for")
    check("办理中" in text(), "the unit signs for it")
    driver.execute_script("document.querySelector(\"input[name='deadline']\").value = '2027-06-30'")
    act("request-extension", reason="需会同多部门研究资金方案")
    check("延期申请已提交" in text() and "申请延期：需会同多部门研究资金方案" in text(), "the unit asks for a later deadline; the step shows it")
    driver.execute_script("document.querySelector(\"input[name='deadline']\").value = '2027-07-31'")
    act("request-extension", reason="再次申请")
    check("未能完成" in text() and "现在不能这样办理" in text() and "已申请过延期，提案委员会尚未决定" in text() and "already asked" not in text(),
          "a second request before the office decides is refused, saying why in Chinese")
    check(driver.find_elements(By.CSS_SELECTOR, f"a[href='/proposals/{proposal}']"), "the refusal links back to the proposal's page")
    shot("refused-state")
    driver.get(f"{BASE}/proposals/{proposal}")
    for _ in range(40):  # the notifier applies the tracker's event
        staff_inbox = gateway("inbox", "--staff")
        if "申请延期" in staff_inbox.stdout:
            break
        time.sleep(0.25)
    check("申请延期" in staff_inbox.stdout, f"the office is told of the request ({staff_inbox.stderr.strip()})")
    act("reply", **{"class": "A类", "contact": "面谈", "text": "已将老旧小区加装电梯列入2027年民生实事，审批时限压缩至15个工作日。"})
    check("已答复" in text() and "列入2027年民生实事" in text(), "the unit replies")
    shot("unit-reply")
    driver.get(f"{BASE}/meetings/{args.tomorrow}")
    check("此页面仅供委员使用" in text(), "a unit has no meeting pages")
    driver.get(f"{BASE}/proposals/{draft_of_m14}")
    check("找不到该内容，或您无权查看" in text(), "a unit cannot read a member's draft")

    check(sign_in("m13", PASSWORD), "m13 signs in for the reply")
    driver.get(f"{BASE}/proposals/{proposal}")
    check("列入2027年民生实事" in text(), "m13 reads the reply")
    act("feedback", satisfaction="满意", reason="感谢答复")
    check("已反馈" in text() and "满意" in text(), "m13 gives feedback: 满意")
    shot("proposal-feedback")

    # 8a. The convener of room 1 (m13) records a topic and takes it to 公开公示; the public
    # page then shows its notice. Another room's topic is not theirs to move.
    driver.get(BASE + "/rooms")
    click(driver.find_element(By.LINK_TEXT, "新华社区协商议事室"))
    check("老旧小区加装电梯" in text() and "记录新议题" in text(), "the convener sees the room's topics and may record one")
    form = driver.find_element(By.CSS_SELECTOR, "form[action$='/topics']")
    form.find_element(By.NAME, "title").send_keys("楼道堆物清理")
    form.find_element(By.NAME, "description").send_keys("居民反映楼道堆放杂物，存在消防隐患")
    Select(form.find_element(By.NAME, "source")).select_by_visible_text("民情大走访")
    Select(form.find_element(By.NAME, "theme")).select_by_visible_text("基层民主")
    click(form.find_element(By.TAG_NAME, "button"))
    topic_match = re.search(r"/topics/(\d+)", driver.current_url)
    check(topic_match is not None and "议题已记录" in text() and "收集议题" in text(), "the topic is recorded at 收集议题")
    for step, fields in (("确定议题", {"notes": "列入本月议题"}), ("议前调研", {"notes": "走访住户30户"}),
                         ("协商议事", {"notes": "1+7+3协商，形成意见2条"}),
                         ("公开公示", {"notes": "公示7天", "notice": "楼道杂物由物业统一清理，居民配合", "posted_at": "新华社区居务公开栏"})):
        check(f"下一步：{step}" in text(), f"the next step offered is {step}")
        form = driver.find_element(By.CSS_SELECTOR, "form[action$='/advance']")
        for name, value in fields.items():
            form.find_element(By.NAME, name).send_keys(value)
        click(form.find_element(By.TAG_NAME, "button"))
        check("已记录这一步" in text(), f"{step} recorded")
    shot("topic-convener")
    driver.get(BASE + "/public")
    check("楼道堆物清理" in text(), "the publicised topic is on the public page")
    driver.get(f"{BASE}/topics/3")
    check("另一个议事室的议题" in text() and "下一步" not in text(), "another room's topic: readable, no step offered")
    status, body = post("/topics/3/advance", {"csrf": csrf(), "step": "decided", "notes": "越权"})
    check(status == 404 and "找不到" in body, f"a crafted step on another room's topic is refused ({status})")

    # 8b. The convener logs an activity of room 1 held an hour ago: the room's members by
    # group (14 and 20) and two residents; checks in who came and closes it. Member 14's 履职
    # then counts 参加协商议事活动; member 20, who did not come, gets nothing against them.
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    now = datetime.datetime.now(shanghai)
    start = max(now - datetime.timedelta(minutes=60), now.replace(hour=0, minute=0, second=0, microsecond=0))
    end = min(start + datetime.timedelta(minutes=120), start.replace(hour=23, minute=59))
    def log_activity(participants):
        driver.get(BASE + "/rooms/1")
        form = driver.find_element(By.CSS_SELECTOR, "form[action$='/activities']")
        form.find_element(By.NAME, "title").send_keys("楼道堆物清理协商会")
        for name, value in (("date", start.strftime("%Y-%m-%d")), ("start", start.strftime("%H:%M")), ("end", end.strftime("%H:%M"))):
            driver.execute_script("arguments[0].value = arguments[1]", form.find_element(By.NAME, name), value)
        form.find_element(By.NAME, "participants").send_keys(participants)
        click(form.find_element(By.TAG_NAME, "button"))

    driver.get(BASE + "/rooms/1")
    check("协商议事活动" in text() and "安排或补记活动" in text(), "the convener is offered the room's activities")
    shot("room")
    log_activity("王大爷，新华社区，路人")
    check("类别应为" in text(), "a participant of no known category is refused, saying which line")
    check(gateway("meeting", "list", "--room", "1", "--json").stdout.count("楼道堆物清理协商会") == 0, "and nothing was scheduled")
    log_activity("王大爷，新华社区，群众代表\n李师傅，物业公司，利益相关方")
    activity_match = re.search(r"/activities/(\d+)", driver.current_url)
    page = text()
    check(activity_match is not None and "活动已发布" in page, "the activity is scheduled and published")
    check("孙春梅" in page and "林磊" in page and "王大爷" in page and "群众代表" in page and "利益相关方" in page,
          "its participants: the room's members and the two residents")
    activity = activity_match.group(1) if activity_match else "0"
    shot("activity-checkin")
    rows = {row.text.split("\n")[0].strip(): row for row in driver.find_elements(By.CSS_SELECTOR, "ul.list li")}
    for name in ("孙春梅", "王大爷"):
        rows[name].find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    click(driver.find_element(By.XPATH, "//button[text()='签到']"))
    check("已签到" in text(), "the convener checks in who came")
    form = driver.find_element(By.CSS_SELECTOR, f"form[action='/activities/{activity}/close']")
    form.find_element(By.NAME, "minutes").send_keys("物业本周内清理楼道，居民配合；每月检查一次")
    form.find_element(By.NAME, "outcomes").send_keys("楼道堆物清理完毕")
    click(form.find_element(By.TAG_NAME, "button"))
    page = text()
    check("活动已结束" in page and "委员 1 人，其他参加人员 1 人" in page and "物业本周内清理楼道" in page, "closed: one member and one resident came")
    shot("activity")
    driver.get(f"{BASE}/meetings/{activity}")
    page = text()
    check("已结束" in page and "会议纪要\n物业本周内清理楼道，居民配合；每月检查一次" in page and "会议成果\n楼道堆物清理完毕" in page,
          "the meeting's page shows its minutes and outcomes once closed")
    shot("meeting-closed")
    kinds = []
    for _ in range(40):  # duty-record learns of the closing from the scheduler's events
        shown = json.loads(gateway("duty", "show", "14", "--year", start.strftime("%Y"), "--json").stdout or "{}")
        kinds = [e.get("kind") for e in shown.get("entries", [])]
        if "DUTY_KIND_CONSULTATION_ACTIVITY" in kinds:
            break
        time.sleep(0.25)
    check(kinds.count("DUTY_KIND_CONSULTATION_ACTIVITY") == 1, f"member 14's 履职 counts the activity once ({kinds})")
    shown = json.loads(gateway("duty", "show", "20", "--year", start.strftime("%Y"), "--json").stdout or "{}")
    check("DUTY_KIND_MEETING_ABSENT" not in json.dumps(shown), "member 20, invited by the convener, is not marked absent")
    notes = json.loads(gateway("meeting", "show", activity, "--json").stdout or "{}").get("meeting", {}).get("recordNotes", [])
    check(any("member:13 via portal" in n and "scheduled it" in n for n in notes) and any("member:13 via portal" in n and "attesting 2 present (王大爷、孙春梅)" in n for n in notes),
          f"the office reads who scheduled and closed it: member 13 via the portal ({notes})")
    # Not theirs: a meeting of another kind (the office's consultation in their own room), and
    # an activity of another room.
    status, body = post(f"/activities/{args.soon}/check-in", {"csrf": csrf(), "invitee-1": "1"})
    check(status == 404 and "找不到" in body, f"checking people in at an office meeting is refused ({status})")
    driver.get(f"{BASE}/activities/{args.consultation}")
    check("/meetings/" in driver.current_url and "签到" not in text(), "the office's meeting in their room opens as a meeting, with nothing to run")

    # 8. Open registration, the calendar file, 社情民意, the 履职 record, the account.
    driver.get(BASE + "/meetings")
    check("可报名的活动" in text() and "委员读书活动" in text(), "an activity open for registration is offered")
    driver.get(f"{BASE}/meetings/{args.open}")
    click(driver.find_element(By.XPATH, "//button[text()='报名参加']"))
    check("已报名" in text() and "我的状态\n已报名" in text(), "m13 registers for the open activity")
    click(driver.find_element(By.XPATH, "//button[text()='退出报名']"))
    check("已退出报名" in text(), "and withdraws")
    status, body = request("/calendar.ics")
    check(status == 200 and "BEGIN:VCALENDAR" in body and "提案工作专题座谈" in body and "文史资料征集座谈" not in body,
          f"the calendar file holds my meetings only ({status})")

    driver.get(BASE + "/opinions")
    # Spaces only pass the browser's `required`; the service refuses the blank title, and the
    # page says which field in Chinese.
    driver.find_element(By.NAME, "title").send_keys("   ")
    driver.find_element(By.NAME, "body").send_keys("只有标题是空的")
    submit()
    check("未能完成" in text() and "标题：不能为空" in text() and "must not" not in text(), "a blank title is refused, saying so in Chinese")
    driver.get(BASE + "/opinions")
    check("只有标题是空的" not in text(), "the refused 社情民意 is not listed")
    driver.find_element(By.NAME, "title").send_keys("关于农村留守老人助餐难的反映")
    driver.find_element(By.NAME, "body").send_keys("新城镇多个村反映留守老人就餐不便，建议推广村级互助助餐点。")
    submit()
    check("社情民意已报送" in text() and "关于农村留守老人助餐难的反映" in text(), "m13 submits 社情民意 and sees it listed")
    shot("opinions")

    driver.get(BASE + "/duty")
    for _ in range(40):  # duty-record learns of the filing from the tracker's events
        if "领衔提案立案" in text():
            break
        time.sleep(0.25)
        driver.get(BASE + "/duty")
    check("领衔提案立案" in text() and "报送社情民意" in text(), "the 履职 record shows the filed proposal and the 社情民意")
    check("待确认" not in text() and "0年" not in text(), "nothing shown for what is not there")

    # The member records an activity of their own (it waits for staff) and disputes an entry.
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/duty']")
    Select(form.find_element(By.NAME, "kind")).select_by_visible_text("参加调研")
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d")
    driver.execute_script("arguments[0].value = arguments[1]", form.find_element(By.NAME, "date"), today)
    form.find_element(By.NAME, "title").send_keys("新城镇留守老人助餐点调研")
    # As much as the field takes, in Chinese: the service takes it too.
    evidence_field = form.find_element(By.NAME, "evidence")
    evidence = "调研记录和照片，同行委员孙春梅"
    evidence += "。" * (int(evidence_field.get_attribute("maxlength")) - len(evidence))
    driver.execute_script("arguments[0].value = arguments[1]", evidence_field, evidence)
    click(form.find_element(By.TAG_NAME, "button"))
    check("已登记，办公室确认后计入积分" in text() and "参加调研 · 新城镇留守老人助餐点调研" in text() and "待确认" in text(),
          "m13 records a research visit: listed, awaiting staff")
    mine = json.loads(gateway("duty", "show", "13", "--year", today[:4], "--json").stdout or "{}").get("entries", [])
    recorded = [e for e in mine if e.get("title") == "新城镇留守老人助餐点调研"]
    check(len(recorded) == 1 and recorded[0].get("status") == "ENTRY_STATUS_PENDING" and recorded[0].get("date") == today
          and recorded[0].get("evidence") == evidence and len(evidence.encode()) > 1000,
          f"the office sees it pending, as the member wrote it, its evidence as long as the form takes ({recorded})")
    led = next(e for e in mine if e.get("kind") == "DUTY_KIND_PROPOSAL_LED")
    form = driver.find_element(By.CSS_SELECTOR, f"form[action='/duty/entries/{led['id']}/dispute']")
    driver.find_element(By.XPATH, f"//form[@action='/duty/entries/{led['id']}/dispute']/parent::details/summary").click()
    form.find_element(By.NAME, "reason").send_keys("该提案为本人与林磊委员联名，应为附议")
    click(form.find_element(By.TAG_NAME, "button"))
    check("异议已提交" in text() and "已提出异议，待办公室核实：该提案为本人与林磊委员联名，应为附议" in text(), "m13 disputes the filed proposal's entry")
    entry = json.loads(gateway("duty", "entry", str(led["id"]), "--json").stdout or "{}")
    check(entry.get("disputed") is True and "member:13 via portal" in json.dumps(entry.get("history", []), ensure_ascii=False),
          f"the office sees the dispute, made by member 13 via the portal ({entry.get('disputed')})")
    check(f"/duty/entries/{led['id']}/dispute" not in driver.page_source, "a disputed entry offers no second dispute")
    status, body = post(f"/duty/entries/{led['id']}/dispute", {"csrf": csrf(), "reason": "再提一次"})
    check(status == 400 and "这条记录已提出过异议" in body and "awaiting" not in body, f"a second dispute by hand is refused in Chinese ({status})")
    # Not theirs, or not a member's to record: refused, and nothing changes.
    others = json.loads(gateway("duty", "show", "14", "--year", start.strftime("%Y"), "--json").stdout or "{}").get("entries", [])
    status, body = post(f"/duty/entries/{others[0]['id']}/dispute", {"csrf": csrf(), "reason": "别人的记录"})
    again = json.loads(gateway("duty", "entry", str(others[0]["id"]), "--json").stdout or "{}")
    check(status == 404 and again.get("id") == others[0]["id"] and not again.get("disputed"), f"member 14's entry cannot be disputed by m13 ({status})")
    status, body = post("/duty", {"csrf": csrf(), "kind": "meeting-attended", "date": today, "title": "自称出席", "evidence": "无"})
    after = json.loads(gateway("duty", "show", "13", "--year", today[:4], "--json").stdout or "{}").get("entries", [])
    check(status == 400 and len(after) == len(mine) and "类别只能是" in body, f"attendance is not the member's to record: refused, nothing added ({status})")
    status, body = post("/duty", {"csrf": csrf(), "kind": "research", "date": "2099-01-01", "title": "未来的调研", "evidence": "无"})
    check(status == 400 and "日期不能晚于今天" in body and "future" not in body, f"a date ahead is refused, in Chinese ({status})")
    shot("duty")

    driver.get(BASE + "/account")
    # How m13 is told besides the inbox: no e-mail at once but a daily digest, no push.
    before = json.loads(gateway("notify", "prefs", "--member", "13", "--json").stdout or "{}")
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/account/notifications']")
    for name, wanted in (("email", True), ("digest", True), ("webhook", False)):
        box = form.find_element(By.NAME, name)
        check(box.is_selected() == bool(before.get(name)), f"the account page shows {name} as the notifier has it ({before.get(name)})")
        if box.is_selected() != wanted:
            box.click()
    click(form.find_element(By.TAG_NAME, "button"))
    after = json.loads(gateway("notify", "prefs", "--member", "13", "--json").stdout or "{}")
    check("通知方式已保存" in text() and after.get("email") is True and after.get("digest") is True and not after.get("webhook"),
          f"m13 chooses a daily digest and no push; the notifier has it ({after})")
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/account/notifications']")
    check(form.find_element(By.NAME, "digest").is_selected() and not form.find_element(By.NAME, "webhook").is_selected(),
          "the page shows the choice saved")
    status, _ = post("/account/notifications", {"email": "on"})
    again = json.loads(gateway("notify", "prefs", "--member", "13", "--json").stdout or "{}")
    check(status == 403 and again == after, f"without the form's token nothing changes ({status})")
    shot("account")
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/account/password']")
    form.find_element(By.NAME, "current").send_keys("not-my-password")
    form.find_element(By.NAME, "password").send_keys(NEW_PASSWORD)
    form.find_element(By.NAME, "confirm").send_keys(NEW_PASSWORD)
    click(form.find_element(By.TAG_NAME, "button"))
    check("当前密码不正确" in text(), "changing the password needs the current one")
    old_cookies = driver.get_cookies()
    form = driver.find_element(By.CSS_SELECTOR, "form[action='/account/password']")
    form.find_element(By.NAME, "current").send_keys(PASSWORD)
    form.find_element(By.NAME, "password").send_keys(NEW_PASSWORD)
    form.find_element(By.NAME, "confirm").send_keys(NEW_PASSWORD)
    click(form.find_element(By.TAG_NAME, "button"))
    check("密码已修改" in text(), "the password is changed")
    status, _ = request("/inbox", cookies=old_cookies)
    check(status == 303, f"the session from before the change has ended ({status})")
    check(sign_in("m13", NEW_PASSWORD), "the new password signs in")
    PASSWORD = NEW_PASSWORD

    # A link from an e-mail, opened without the session: sign in, then land where it
    # pointed; a `next` naming another site is ignored.
    for start_at, lands in ((f"/meetings/{args.tomorrow}", f"/meetings/{args.tomorrow}"), ("/login?next=//evil.example.com/x", "/inbox"),
                            ("/login?next=https://evil.example.com/", "/inbox")):
        driver.delete_all_cookies()
        driver.get(BASE + start_at)
        if start_at.startswith("/meetings"):
            check("/login?next=" in driver.current_url, f"a page opened signed out asks to sign in, remembering it ({driver.current_url})")
        driver.find_element(By.NAME, "login").send_keys("m13")
        driver.find_element(By.NAME, "password").send_keys(PASSWORD)
        submit()
        check(driver.current_url == BASE + lands, f"signed in from {start_at}, lands on {lands} ({driver.current_url})")

    # 9. Another member's meeting or proposal by changing the id: a published meeting's public
    # fields (as every member reads them), never its link or anyone's code; a draft, nothing.
    driver.get(f"{BASE}/meetings/{args.others}")
    page = text()
    check("文史资料征集座谈" in page and "secret-link" not in driver.page_source, "another's meeting: its public fields, not its online link")
    check("签到码" not in page and "请假" not in page and "我的状态" not in page, "another's meeting: no code, no leave, no check-in")
    shot("meeting-not-invited")
    driver.get(f"{BASE}/meetings/{args.draft}")
    check("找不到该内容，或您无权查看" in text(), "a draft meeting by its id: not found")
    driver.get(f"{BASE}/proposals/424242")
    check("找不到该内容，或您无权查看" in text(), "a proposal by a made-up id: not found")
    driver.get(f"{BASE}/meetings/0")
    check("找不到该内容" in text(), "id 0: not found")

    # 10. A form posted without its CSRF token, or with another: refused, nothing changed.
    status, body = post(f"/meetings/{args.soon}/leave", {"type": "other", "reason": "伪造的请假"})
    check(status == 403 and "请求无效" in body, f"a form without its CSRF token is refused ({status})")
    status, body = post(f"/meetings/{args.soon}/leave", {"type": "other", "reason": "伪造的请假", "csrf": "x" * 43})
    check(status == 403, f"a form with a wrong CSRF token is refused ({status})")
    driver.get(f"{BASE}/meetings/{args.soon}")
    check("伪造的请假" not in text() and "已签到" in text(), "the forged forms changed nothing")

    # 11. Staff disable the account: the open session ends at once.
    disabled = subprocess.run([args.gateway, "portal", "disable", "m13"], capture_output=True, text=True)
    check(disabled.returncode == 0, f"staff disable m13 ({disabled.stderr.strip()})")
    driver.get(BASE + "/inbox")
    check(urllib.parse.urlparse(driver.current_url).path == "/login", "a disabled account's session ends at once")
    driver.find_element(By.NAME, "login").send_keys("m13")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit()
    check("此账户已停用" in text(), "a disabled account cannot sign in")

    # 12. The second member: sign out, then 20 guesses at the password.
    check(sign_in("m14", SECOND_PASSWORD), "m14 signs in")
    elsewhere = driver.get_cookies()
    check(sign_in("m14", SECOND_PASSWORD), "m14 signs in on a second device")
    driver.get(BASE + "/account")
    click(driver.find_element(By.XPATH, "//button[text()='在所有设备上退出']"))
    check(driver.current_url.endswith("/login"), "sign out everywhere")
    status, _ = request("/inbox", cookies=elsewhere)
    check(status == 303, f"the other device is signed out too ({status})")
    check(sign_in("m14", SECOND_PASSWORD), "m14 signs in again")
    click(driver.find_element(By.XPATH, "//button[text()='退出']"))
    check(driver.current_url.endswith("/login"), "signed out")
    driver.get(BASE + "/inbox")
    check(urllib.parse.urlparse(driver.current_url).path == "/login", "after signing out, pages need signing in again")

    driver.get(BASE + "/login")
    status, body = post("/login", {"csrf": csrf(), "login": "x" * 60000, "password": "p"})
    check(status == 401 and "登录名或密码不正确" in body, f"a 60,000-character login is a plain failed sign-in ({status})")

    codes = []
    for guess in range(20):
        driver.get(BASE + "/login")
        driver.find_element(By.NAME, "login").send_keys("m14")
        driver.find_element(By.NAME, "password").send_keys(f"guess-{guess:02d}-password")
        submit()
        codes.append("多" if "登录失败次数过多" in text() else "错" if "登录名或密码不正确" in text() else "?")
    check(codes[:5] == ["错"] * 5 and codes[5:] == ["多"] * 15, f"20 guesses: five refused, then locked out ({''.join(codes)})")
    driver.get(BASE + "/login")
    driver.find_element(By.NAME, "login").send_keys("m14")
    driver.find_element(By.NAME, "password").send_keys(SECOND_PASSWORD)
    submit()
    check("登录失败次数过多" in text() and not driver.current_url.endswith("/inbox"), "the right password waits out the lock too")
    shot("login-locked")
finally:
    driver.quit()

print(f"{len(failures)} failed" if failures else "all browser checks passed")
sys.exit(1 if failures else 0)
