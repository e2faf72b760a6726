#!/usr/bin/python3
"""The portal in headless Chromium, driven by Selenium: what a member does, and what an
attacker tries. Run by PortalBrowserTests.swift against a suite it started; prints one line a
check and exits 1 when any failed. Screenshots at phone (390 px) and desktop width go to --shots."""
import argparse
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
for name in ("base", "link", "code", "second-link", "second-code", "tomorrow", "soon", "others", "draft", "shots", "gateway"):
    parser.add_argument("--" + name, required=True)
args = parser.parse_args()
BASE = args.base
PASSWORD = "春风十里不如你2026"
SECOND_PASSWORD = "秋水共长天一色1949"
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


def no_alert():
    try:
        driver.switch_to.alert
        return False
    except NoAlertPresentException:
        return True


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


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
    check(driver.current_url.endswith("/login"), "a page needs signing in")
    shot("login")
    driver.find_element(By.NAME, "login").send_keys("m13")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit()
    check(driver.current_url.endswith("/inbox"), "signed in, the inbox opens")
    check("会议通知" in text() and "未读" in text(), "the inbox shows the meeting notices, unread first")
    shot("inbox")
    session = next(c for c in driver.get_cookies() if c["name"] == "xs_session")
    check(session.get("httpOnly") and session.get("sameSite") == "Strict", "the session cookie is HttpOnly and SameSite=Strict")
    click(driver.find_element(By.XPATH, "//button[text()='全部标为已读']"))
    check("未读 0 条" in text(), "mark all read")

    # 3. My meetings: mine only.
    driver.get(BASE + "/meetings")
    page = text()
    check("提案工作专题座谈" in page and "界别小组活动" in page, "my meetings are listed")
    check("文史资料征集座谈" not in page, "a meeting I am not invited to is not listed")
    shot("meetings")

    # 4. Leave, with a reason holding markup: stored and shown as text, never run.
    driver.get(f"{BASE}/meetings/{args.tomorrow}")
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

    # 5. Terminal escapes in a text: refused with a clear message, nothing changed.
    driver.get(f"{BASE}/meetings/{args.soon}")
    driver.execute_script("document.querySelector(\"form[action$='/leave'] textarea\").value = arguments[0]", "\u001b[31m红字\u001b[0m")
    submit("/leave")
    check("未能完成" in text() and "control" in text().lower(), "a reason with terminal escapes is refused, saying why")
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

    # 7. Another member's meeting or proposal by changing the id: a published meeting's public
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

    # 8. A form posted without its CSRF token, or with another: refused, nothing changed.
    status, body = post(f"/meetings/{args.soon}/leave", {"type": "other", "reason": "伪造的请假"})
    check(status == 403 and "请求无效" in body, f"a form without its CSRF token is refused ({status})")
    status, body = post(f"/meetings/{args.soon}/leave", {"type": "other", "reason": "伪造的请假", "csrf": "x" * 43})
    check(status == 403, f"a form with a wrong CSRF token is refused ({status})")
    driver.get(f"{BASE}/meetings/{args.soon}")
    check("伪造的请假" not in text() and "已签到" in text(), "the forged forms changed nothing")

    # 9. Staff disable the account: the open session ends at once.
    disabled = subprocess.run([args.gateway, "portal", "disable", "m13"], capture_output=True, text=True)
    check(disabled.returncode == 0, f"staff disable m13 ({disabled.stderr.strip()})")
    driver.get(BASE + "/inbox")
    check(driver.current_url.endswith("/login"), "a disabled account's session ends at once")
    driver.find_element(By.NAME, "login").send_keys("m13")
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    submit()
    check("此账户已停用" in text(), "a disabled account cannot sign in")

    # 10. A second member: sign out, then 20 guesses at the password.
    driver.delete_all_cookies()
    driver.get(args.second_link)
    driver.find_element(By.NAME, "code").send_keys(args.second_code)
    driver.find_element(By.NAME, "password").send_keys(SECOND_PASSWORD)
    driver.find_element(By.NAME, "confirm").send_keys(SECOND_PASSWORD)
    submit()
    driver.get(BASE + "/login")
    driver.find_element(By.NAME, "login").send_keys("m14")
    driver.find_element(By.NAME, "password").send_keys(SECOND_PASSWORD)
    submit()
    check(driver.current_url.endswith("/inbox"), "m14 signs in")
    click(driver.find_element(By.XPATH, "//button[text()='退出']"))
    check(driver.current_url.endswith("/login"), "signed out")
    driver.get(BASE + "/inbox")
    check(driver.current_url.endswith("/login"), "after signing out, pages need signing in again")

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
