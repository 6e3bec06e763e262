"""Browser test: drive the real demo pages in headless Chromium.

A community coordinator logs in, searches, and opens a household of their own community;
a household of another community answers 404; a department data officer uploads a file, which is
imported in the background while its page reloads itself. Screenshots go to the artifacts folder.

usage: python3 Tests/browser/walkthrough.py BASE_URL ARTIFACT_DIR
"""
import os
import sys
import tempfile
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = sys.argv[1].rstrip("/")
OUT = sys.argv[2]
PASSWORD = "jiuzhu-demo-2026"
OWN_COMMUNITY = "120104901001"    # the demo coordinator's community (海棠一里社区 in 南开区)
OTHER_COMMUNITY = "120104901002"  # its neighbour in the same street
CHANNEL_ONLINE = "线上申请"
os.makedirs(OUT, exist_ok=True)


def make_driver(width, height, phone=False):
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        opts.add_argument(a)
    if phone:
        # A desktop window cannot be narrower than 500 px; emulate a phone's viewport instead.
        opts.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2}})
    drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    drv.implicitly_wait(5)
    return drv


def login(drv, username):
    drv.get(BASE + "/login")
    drv.find_element(By.ID, "username").send_keys(username)
    drv.find_element(By.ID, "password").send_keys(PASSWORD)
    drv.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(drv, 10).until(lambda d: "/login" not in d.current_url)
    assert "登录" not in drv.title, f"login as {username} failed: {drv.title}"


def until_shown(drv, text, seconds=10):
    """Wait for `text` on the page; on a timeout say where the browser is and what error the page shows, so that a
    CI log names the cause rather than only the line."""
    try:
        WebDriverWait(drv, seconds).until(lambda d: text in d.page_source)
    except Exception:
        errors = [e.text for e in drv.find_elements(By.CSS_SELECTOR, ".error, [role=alert]")]
        print(f"not ok - waited {seconds}s for {text!r} at {drv.current_url}; the page says {errors or drv.title!r}")
        raise


def logout(drv):
    drv.find_element(By.CSS_SELECTOR, "form.logout button").click()
    WebDriverWait(drv, 10).until(lambda d: "/login" in d.current_url)


def fits_phone(drv, message, narrow=False):
    """The page needs no sideways scrolling at the phone's width (and, with narrow, the viewport is a phone's)."""
    width = drv.execute_script("return document.documentElement.scrollWidth")
    viewport = drv.execute_script("return window.innerWidth")
    check(width <= viewport and (not narrow or viewport <= 400), f"{message} ({width}px of {viewport}px)")


def reads_like_a_person(drv, page):
    """What a person reads on the page (small print with codes aside) has no UTC time, no bare 12-digit region
    code, no internal identifier; on a phone the header is one line and nothing scrolls sideways."""
    import re
    text = drv.execute_script(
        "var b = document.body.cloneNode(true); b.querySelectorAll('small.code, script, style').forEach(function (e) { e.remove(); });"
        "document.documentElement.appendChild(b); var t = b.innerText; b.remove(); return t;")
    # An address shown as text (the applicant's status link) is not something to read: its random hex token
    # holds a run of twelve digits in a few runs in a hundred (CI failed so once).
    text = re.sub(r"https?://\S+", "", text)
    utc = re.findall(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", text)
    codes = re.findall(r"(?<![\d*])\d{12}(?![\d*])", text)
    ids = re.findall(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text, re.I)
    check(not utc and not codes and not ids, f"{page}: Beijing times, names not codes, no internal IDs ({utc[:2]} {codes[:2]} {ids[:2]})")
    header = drv.execute_script("return document.querySelector('header.top').getBoundingClientRect().height")
    check(header <= 60, f"{page}: the header is one line on a phone ({header:.0f}px)")
    fits_phone(drv, f"{page} fits a phone screen", narrow=True)


def national_id(region, birth, serial):
    """An 18-character ID whose check character fits (GB 11643: ISO 7064 MOD 11-2)."""
    body = f"{region}{birth}{serial:03d}"
    total = sum(int(c) * w for c, w in zip(body, (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)))
    return body + "10X98765432"[total % 11]


def check(cond, message):
    if not cond:
        raise AssertionError(message)
    print("ok -", message)


drv = make_driver(1280, 900)
try:
    # An administrator finds a household in the neighbouring community, for the 404 check later.
    login(drv, "admin")
    drv.get(f"{BASE}/regions/{OTHER_COMMUNITY}")
    links = drv.find_elements(By.CSS_SELECTOR, "table.results a.household")
    check(len(links) > 0, "the neighbouring community has households")
    foreign_url = links[0].get_attribute("href")
    logout(drv)

    # The coordinator's day.
    login(drv, "coordinator")
    check("社区（村）协理员" in drv.page_source, "home shows the coordinator's role")
    check("<svg" in drv.page_source, "home has a server-drawn chart")
    drv.save_screenshot(os.path.join(OUT, "home.png"))

    drv.get(f"{BASE}/regions/{OWN_COMMUNITY}")
    own = drv.find_elements(By.CSS_SELECTOR, "table.results a.household")
    check(len(own) > 0, "the coordinator's community lists its households")
    name = own[0].text

    drv.get(BASE + "/households")
    box = drv.find_element(By.NAME, "q")
    box.send_keys(name)
    box.submit()
    results = drv.find_elements(By.CSS_SELECTOR, "table.results a.household")
    check(any(r.text == name for r in results), f"searching for {name} finds the household")
    check("********" in drv.page_source, "ID numbers are masked in the result list")
    drv.save_screenshot(os.path.join(OUT, "search.png"))

    next(r for r in results if r.text == name).click()
    check("家庭档案" in drv.title, "the profile opens")
    check("家庭成员" in drv.page_source and "时间线" in drv.page_source, "the profile shows members and a timeline")
    drv.save_screenshot(os.path.join(OUT, "profile.png"))

    drv.get(foreign_url)
    check("404" in drv.page_source and "未找到" in drv.page_source, "a household of another community answers 404")
    drv.save_screenshot(os.path.join(OUT, "not-found.png"))
finally:
    drv.quit()

# A resident's self-assessment, with no login, and its share link that never reaches the server.
res = make_driver(390, 844, phone=True)
try:
    res.get(BASE + "/self-assessment")
    Select(res.find_element(By.NAME, "district")).select_by_value("120104000000")
    res.execute_script("document.getElementsByName('m0_birth')[0].value = '1946-03-03'")
    res.find_element(By.NAME, "m0_income").send_keys("320")
    Select(res.find_element(By.NAME, "m0_incomeKind")).select_by_value("residentPension")
    res.execute_script("document.querySelector('fieldset details').open = true")
    Select(res.find_element(By.NAME, "m0_selfcare")).select_by_value("4")
    Select(res.find_element(By.NAME, "m0_supporter")).select_by_value("none")
    res.find_element(By.CSS_SELECTOR, "form.self-assessment button[type=submit]").click()
    until_shown(res, "评估结果")
    check("特困人员救助供养" in res.page_source, "the self-assessment finds tekun for an elderly person alone")
    check(not res.get_cookies(), "the self-assessment sets no cookie")
    res.save_screenshot(os.path.join(OUT, "self-assessment.png"))
    res.find_element(By.CSS_SELECTOR, "button.share").click()
    WebDriverWait(res, 5).until(lambda d: "m0_birth=1946-03-03" in d.execute_script("return location.hash"))
    shared = res.execute_script("return location.href")
    check("#" in shared and "m0_income=320" in shared.split("#", 1)[1], "the share link keeps the answers after '#'")
    res.get("about:blank")
    res.get(shared)
    WebDriverWait(res, 5).until(lambda d: d.find_element(By.NAME, "m0_income").get_attribute("value") == "320")
    check(res.find_element(By.NAME, "district").get_attribute("value") == "120104000000", "opening the share link fills the form again")
finally:
    res.quit()

# The same profile on a phone-sized screen.
phone = make_driver(390, 844, phone=True)
try:
    login(phone, "coordinator")
    phone.get(f"{BASE}/regions/{OWN_COMMUNITY}")
    phone.find_elements(By.CSS_SELECTOR, "table.results a.household")[0].click()
    WebDriverWait(phone, 10).until(lambda d: "家庭档案" in d.title)
    reads_like_a_person(phone, "the profile")
    phone.save_screenshot(os.path.join(OUT, "profile-phone.png"))
finally:
    phone.quit()
# The township officer's review queue on a phone: a probable match side by side, then confirmed.
phone = make_driver(390, 844, phone=True)
try:
    login(phone, "township")
    phone.get(BASE + "/link-reviews")
    links = phone.find_elements(By.CSS_SELECTOR, "a[href^='/link-reviews/']")
    check(len(links) >= 1, f"the demo's review queue has probable matches ({len(links)})")
    check("********" in phone.page_source, "IDs in the queue are masked")
    links[0].click()
    WebDriverWait(phone, 10).until(lambda d: "核对关联" in d.title)
    check("部门记录" in phone.page_source and "登记档案" in phone.page_source, "the two records are shown side by side")
    fits_phone(phone, "the review page fits a phone screen")
    phone.save_screenshot(os.path.join(OUT, "link-review-phone.png"))
    before = len(links)
    phone.find_element(By.CSS_SELECTOR, "button.confirm").click()
    until_shown(phone, "已确认")
    after = len(phone.find_elements(By.CSS_SELECTOR, "a[href^='/link-reviews/']"))
    check(after == before - 1, f"the confirmed match leaves the queue ({before} → {after})")
finally:
    phone.quit()
# Monitoring: the coordinator's warnings on a phone, a verification visit sent by the township and recorded
# by the coordinator, and the city's dashboard with its server-drawn charts.
phone = make_driver(390, 844, phone=True)
desk = make_driver(1280, 900)
try:
    login(phone, "coordinator")
    phone.get(BASE + "/warnings")
    warnings = phone.find_elements(By.CSS_SELECTOR, "a[href^='/warnings/']")
    check(len(warnings) >= 1, f"the coordinator's community has warnings ({len(warnings)} on the first page)")
    check("********" in phone.page_source, "IDs in the warning inbox are masked")
    fits_phone(phone, "the warning inbox fits a phone screen")
    phone.save_screenshot(os.path.join(OUT, "warnings-phone.png"))
    warning_url = warnings[0].get_attribute("href")
    phone.get(warning_url)
    check("证据" in phone.page_source and "提交处置" not in phone.page_source, "the coordinator reads the evidence but does not dispose")
    reads_like_a_person(phone, "the warning detail")
    phone.save_screenshot(os.path.join(OUT, "warning-detail-phone.png"))
    phone.get(BASE + "/monitoring")
    reads_like_a_person(phone, "the dashboard")
    phone.save_screenshot(os.path.join(OUT, "dashboard-phone.png"))
    phone.get(warning_url)

    login(desk, "township")
    desk.get(warning_url)
    desk.find_element(By.XPATH, "//button[contains(., '发起入户核实')]").click()
    until_shown(desk, "已保存")
    check("核实中" in desk.page_source, "the township officer sends the coordinator to verify")

    phone.get(BASE + "/visits")
    phone.find_element(By.NAME, "findings").send_keys("已入户核实，情况属实。")
    phone.save_screenshot(os.path.join(OUT, "visit-phone.png"))
    phone.find_element(By.CSS_SELECTOR, ".visit button.confirm").click()
    WebDriverWait(phone, 10).until(lambda d: "/visits?done" in d.current_url)
    check("核实结果已提交" in phone.page_source, "the coordinator records the home visit on a phone")

    logout(desk)
    login(desk, "admin")
    desk.get(BASE + "/monitoring")
    charts = desk.find_elements(By.CSS_SELECTOR, "svg.chart")
    check(len(charts) >= 5 and "与天津公开数据对照" in desk.page_source, f"the dashboard draws its charts ({len(charts)}) and the Tianjin comparison")
    desk.save_screenshot(os.path.join(OUT, "monitoring-dashboard.png"))
finally:
    phone.quit()
    desk.quit()

# An application from a resident's own request: the resident asks for help online on a phone (no sign-in); the
# township turns the request into an application and accepts it, every adult's commitment is recorded and the
# verification report put beside the departments' figures; the coordinator records the two-person home visit on a
# phone; the township reviews and posts the notice, and the community's board prints with the name masked. A notice
# runs seven days, so the decision is shown on the demo's earlier online application whose notice has run: the
# township closes it, the county approves, the household's profile shows the enrolment, and the status page (no
# sign-in) says 已批准 and nothing personal.
phone = make_driver(390, 844, phone=True)
desk = make_driver(1280, 900)
resident = make_driver(390, 844, phone=True)
try:
    # Someone of the coordinator's community, as the registry knows them (the resident types their own name and ID).
    login(desk, "coordinator")
    desk.get(f"{BASE}/regions/{OWN_COMMUNITY}")
    households = desk.find_elements(By.CSS_SELECTOR, "table.results a.household")
    desk.get(households[-1].get_attribute("href"))
    head_name = desk.find_element(By.CSS_SELECTOR, "table.members tbody tr td").text.strip()
    # The profile shows the number masked; the whole number is on its own page, for a stated purpose (audited).
    check("*" in desk.find_element(By.CSS_SELECTOR, "table.members tbody tr").text, "the profile shows ID numbers masked")
    desk.find_element(By.CSS_SELECTOR, "table.members a.reveal").click()
    Select(desk.find_element(By.NAME, "purpose")).select_by_value("caseHandling")
    desk.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    head_id = desk.find_element(By.CSS_SELECTOR, ".full-id").text.strip()
    check(len(head_id) == 18, "the whole number is shown once a purpose is given")
    logout(desk)

    resident.get(BASE + "/self-assessment")
    resident.find_element(By.PARTIAL_LINK_TEXT, "在线求助").click()
    WebDriverWait(resident, 10).until(lambda d: "/help-requests" in d.current_url)
    resident.find_element(By.NAME, "name").send_keys(head_name)
    resident.find_element(By.NAME, "nationalID").send_keys(head_id)
    resident.find_element(By.NAME, "phone").send_keys("13800138000")
    resident.find_element(By.NAME, "need").send_keys("家里老人常年看病，收入不够日常开销，想申请救助")
    Select(resident.find_element(By.NAME, "township")).select_by_value(OWN_COMMUNITY[:9] + "000")
    resident.find_element(By.NAME, "consent").click()
    resident.save_screenshot(os.path.join(OUT, "help-request-phone.png"))
    resident.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    until_shown(resident, "已收到您的求助")
    body = resident.find_element(By.TAG_NAME, "body").text
    check("QZ-" in body and head_id not in body, "the resident's request is received with its code, and nothing is shown back")
    fits_phone(resident, "the request's receipt fits a phone", narrow=True)

    login(desk, "township")
    desk.get(BASE + "/help-requests")
    # The resident rings: the officer finds their request by the last four digits of the number they call from.
    find = desk.find_element(By.CSS_SELECTOR, "form[action='/help-requests/search']")
    find.find_element(By.NAME, "phone").send_keys("8000")
    find.find_element(By.TAG_NAME, "button").click()
    until_shown(desk, "来电号码「8000」的求助")
    check("家里老人常年看病" in desk.page_source, "a caller's request is found by the last four digits of their number")
    fits_phone(desk, "a caller's requests need no sideways scrolling")
    desk.get(BASE + "/help-requests")
    panel = next(p for p in desk.find_elements(By.CSS_SELECTOR, "div.panel") if "家里老人常年看病" in p.text)
    check(head_id not in panel.text and "已在档案中" in panel.text, "the township sees the request, ID masked, matched to the household")
    panel.find_element(By.LINK_TEXT, "转为申请").click()
    until_shown(desk, "登记救助申请")
    desk.find_element(By.XPATH, "//button[text()='登记申请']").click()
    WebDriverWait(desk, 10).until(lambda d: "/cases/" in d.current_url and "已保存" in d.page_source)
    case_url = desk.current_url.split("?")[0]
    check(CHANNEL_ONLINE in desk.page_source, "the application records that it came from the resident's online request")
    desk.find_element(By.XPATH, "//button[text()='受理']").click()
    until_shown(desk, "登记承诺与授权")
    for sel in desk.find_elements(By.CSS_SELECTOR, "select[name^='signature[']"):
        Select(sel).select_by_value("paper")
    desk.find_element(By.XPATH, "//button[text()='登记承诺与授权']").click()
    until_shown(desk, "出具核对报告")
    # The household declares what the departments report: the officer types each figure beside it.
    for row in desk.find_elements(By.CSS_SELECTOR, "form table tbody tr"):
        figure = row.find_elements(By.TAG_NAME, "td")[2].text
        amount = figure.split("：")[-1].replace("部门数据", "").replace("¥", "").replace(",", "").split("/")[0].strip()
        row.find_element(By.CSS_SELECTOR, "input[name^='declared[']").send_keys(amount)
    desk.find_element(By.XPATH, "//button[text()='出具核对报告']").click()
    until_shown(desk, "家庭经济状况核对报告")
    check("申报与部门数据一致" in desk.page_source, "the verification report puts the declaration beside each department figure: consistent")
    logout(desk)

    login(phone, "coordinator")
    phone.get(BASE + "/cases")
    check("我的待办申请" in phone.page_source, "the coordinator's inbox lists the applications waiting for them")
    reads_like_a_person(phone, "the case inbox")
    phone.save_screenshot(os.path.join(OUT, "cases-inbox-phone.png"))
    phone.get(case_url)
    reads_like_a_person(phone, "a case's page")
    investigators = phone.find_element(By.NAME, "investigators")
    investigators.clear()
    investigators.send_keys("coordinator、township")
    phone.find_element(By.CSS_SELECTOR, "input[name^='present[']").click()
    Select(phone.find_element(By.NAME, "housing")).select_by_value("adequate")
    phone.find_element(By.NAME, "living").send_keys("两人入户：家中陈设简单，老人卧床")
    phone.find_element(By.NAME, "assetsSeen").send_keys("无")
    Select(phone.find_element(By.NAME, "householdSigner")).select_by_index(1)
    phone.find_element(By.NAME, "investigatorsSigned").click()
    phone.save_screenshot(os.path.join(OUT, "case-visit-phone.png"))
    phone.find_element(By.XPATH, "//button[text()='登记入户调查']").click()
    until_shown(phone, "已保存")
    check("初审" in phone.find_element(By.CSS_SELECTOR, ".kv").text and "入户调查表" in phone.page_source,
          "the coordinator records the home visit on a phone; the case moves to first review")
    reads_like_a_person(phone, "the case after the visit")

    login(desk, "township")
    desk.get(case_url)
    check("政策计算器" in desk.page_source, "the first review shows the calculator's assessment of the verified household")
    desk.find_element(By.NAME, "opinion").send_keys("经核实符合低保条件，建议批准。")
    desk.find_element(By.XPATH, "//button[text()='提交初审意见']").click()
    until_shown(desk, "已保存")
    posting = desk.find_element(By.XPATH, "//button[contains(., '张贴公示')]")
    posting.click()
    # The page before already said 已保存 (the first review): wait for the new one.
    until_shown(desk, "公示期满")
    check("公示期满" in desk.page_source, "the township reviews and posts the notice; the case shows when it ends")
    desk.get(BASE + "/notices")
    board = desk.find_element(By.TAG_NAME, "main").text if desk.find_elements(By.TAG_NAME, "main") else desk.page_source
    check("正在公示" in desk.page_source and "*" in board and head_name not in board,
          "the community's notice board lists households with names masked")
    desk.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    desk.save_screenshot(os.path.join(OUT, "notice-board-print.png"))
    desk.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})

    # The demo's earlier online application, its seven days over: closed by the township, decided by the county.
    desk.get(BASE + "/cases")
    rows = [r for r in desk.find_elements(By.CSS_SELECTOR, "table tbody tr") if "公示" in r.text and CHANNEL_ONLINE in r.text
            and r.find_element(By.CSS_SELECTOR, "a").get_attribute("href").split("?")[0] != case_url]
    check(len(rows) > 0, "the township's inbox has the earlier online application at the end of its notice")
    earlier = rows[0].find_element(By.CSS_SELECTOR, "a").get_attribute("href")
    desk.get(earlier)
    desk.find_element(By.XPATH, "//button[text()='公示期满，提交审核确认']").click()
    until_shown(desk, "已保存")
    logout(desk)

    login(desk, "reviewer")
    desk.get(earlier)
    amount = desk.find_element(By.NAME, "amount")
    amount.clear()
    amount.send_keys("512.00")
    desk.find_element(By.XPATH, "//button[text()='批准']").click()
    until_shown(desk, "已保存")
    check("已批准" in desk.page_source, "the county approves")
    status_link = desk.find_element(By.CSS_SELECTOR, ".status-link").text
    applicant = desk.find_element(By.CSS_SELECTOR, ".kv a").text
    check(len(desk.find_elements(By.CSS_SELECTOR, ".receipt svg.qr")) == 1, "the receipt carries the status page's QR code")
    resident.delete_all_cookies()
    resident.get(status_link)
    body = resident.find_element(By.TAG_NAME, "body").text
    check("已批准" in body and applicant not in body and "¥" not in body, "the applicant's status page (no sign-in) shows 已批准 and nothing personal")
    resident.save_screenshot(os.path.join(OUT, "case-status-phone.png"))
    desk.find_element(By.CSS_SELECTOR, ".kv a").click()
    WebDriverWait(desk, 10).until(lambda d: "/households/" in d.current_url)
    check("¥512.00" in desk.page_source, "the household's profile shows the new enrolment and its amount")
    desk.save_screenshot(os.path.join(OUT, "profile-after-approval.png"))
finally:
    phone.quit()
    desk.quit()
    resident.quit()

# Help first (先行救助) on a phone: after a fire the township officer opens an emergency application from the
# household's profile, accepts it and grants at once from the street's reserve fund, naming the payee; the
# paperwork after it becomes the township's task with its deadline, and the fund's ledger shows the grant.
phone = make_driver(390, 844, phone=True)
try:
    login(phone, "township")
    phone.get(f"{BASE}/regions/{OWN_COMMUNITY}")
    phone.get(phone.find_elements(By.CSS_SELECTOR, "table.results a.household")[1].get_attribute("href"))
    phone.find_element(By.PARTIAL_LINK_TEXT, "登记申请").click()
    until_shown(phone, "登记救助申请")
    Select(phone.find_element(By.NAME, "kind")).select_by_value("temporaryEmergency")
    phone.find_element(By.NAME, "note").send_keys("夜间家中失火，被褥衣物烧毁")
    phone.find_element(By.XPATH, "//button[text()='登记申请']").click()
    WebDriverWait(phone, 10).until(lambda d: "/cases/" in d.current_url and "已保存" in d.page_source)
    phone.find_element(By.XPATH, "//button[text()='受理']").click()
    until_shown(phone, "先行救助，批准发放")
    check("当前余额" in phone.page_source, "the grant form shows the street's reserve fund balance")
    amount = phone.find_element(By.NAME, "amount")
    amount.clear()
    amount.send_keys("1000.00")
    phone.save_screenshot(os.path.join(OUT, "help-first-phone.png"))
    phone.find_element(By.XPATH, "//button[text()='先行救助，批准发放']").click()
    until_shown(phone, "补办完成")
    check("已批准" in phone.page_source and "前补办审核手续" in phone.page_source,
          "the township grants help first on a phone; the paperwork after it is its task, with its deadline")
    reads_like_a_person(phone, "a help-first grant")
    phone.get(BASE + "/reserve-funds")
    check("先行救助支出" in phone.page_source and "−¥1,000.00" in phone.page_source, "the reserve fund's ledger shows the grant")
    fits_phone(phone, "the reserve fund page fits a phone", narrow=True)
finally:
    phone.quit()

# A decrease from a warning: the street found a dibao household's income risen and proposed a lower amount; the
# county reviewer decides it, and the household's profile shows the new amount.
desk = make_driver(1280, 900)
try:
    login(desk, "reviewer")
    desk.get(BASE + "/changes")
    rows = [r for r in desk.find_elements(By.CSS_SELECTOR, "table tbody tr") if "减发" in r.text and "监测预警" in r.text]
    check(len(rows) > 0, "the county's list has a decrease proposed from a warning")
    desk.get(rows[0].find_element(By.CSS_SELECTOR, "a").get_attribute("href"))
    amounts = desk.find_element(By.XPATH, "//dt[text()='金额']/following-sibling::dd[1]").text
    new_amount = amounts.split("→")[1].split("（")[0].strip()
    check("查看预警" in desk.page_source, "the change links back to the warning it came from")
    desk.find_element(By.XPATH, "//button[text()='作出决定']").click()
    until_shown(desk, "已保存")
    check("已决定" in desk.page_source, "the county decides the decrease")
    desk.find_element(By.LINK_TEXT, "打开家庭档案").click()
    WebDriverWait(desk, 10).until(lambda d: "/households/" in d.current_url)
    programs = desk.find_element(By.ID, "programs").find_element(By.XPATH, "following-sibling::div[1]").text
    check(new_amount in programs, f"the household's profile shows the decreased amount ({new_amount})")
    desk.save_screenshot(os.path.join(OUT, "profile-after-decrease.png"))
finally:
    desk.quit()

# A periodic review on a phone: the street's officer opens the reviews due, reads the calculator's view of the
# household on today's data beside what it is paid, and concludes that it continues.
phone = make_driver(390, 844, phone=True)
try:
    login(phone, "township")
    phone.get(BASE + "/reviews")
    check("定期核查：待核查" in phone.page_source and "到期" in phone.page_source, "the street's reviews due are listed on a phone")
    fits_phone(phone, "the review list fits a phone", narrow=True)
    phone.find_element(By.CSS_SELECTOR, "table tbody a").click()
    until_shown(phone, "政策计算器（按今日登记的数据）")
    reads_like_a_person(phone, "a periodic review")
    fits_phone(phone, "a periodic review fits a phone", narrow=True)
    phone.find_element(By.NAME, "conclusion").send_keys("入户核实：家庭人口、收入无变化，继续保障")
    phone.find_element(By.XPATH, "//button[text()='继续保障']").click()
    until_shown(phone, "已保存")
    check("继续保障" in phone.page_source and "入户核实" in phone.page_source, "the township concludes a review on a phone: the household continues")
    phone.save_screenshot(os.path.join(OUT, "review-phone.png"))
finally:
    phone.quit()

# Payments. The county's December payroll waits for a second person: the reviewer who prepared it may not approve it;
# the city administrator reads what changed since November and who is not paid and why (the payee who died), and
# approves it.
desk = make_driver(1280, 900)
try:
    login(desk, "reviewer")
    desk.get(BASE + "/payrolls")
    check("待审批" in desk.page_source, "the county's December payroll waits for approval")
    desk.find_element(By.XPATH, "//tr[td[contains(., '待审批')]]//a").click()
    until_shown(desk, "您是本名册的生成人")
    payroll = desk.current_url.split("?")[0]
    check("与上月相比" in desk.page_source and "<svg" in desk.page_source, "the payroll shows the change since last month and its streets as a chart")
    check(not desk.find_elements(By.XPATH, "//button[text()='审批通过']"), "whoever prepared the payroll is not offered its approval")
    logout(desk)
    login(desk, "admin")
    desk.get(payroll + "?status=blocked")
    check("死亡，不予发放" in desk.page_source, "the payee who died is blocked, with the reason on the line")
    desk.find_element(By.XPATH, "//button[text()='审批通过']").click()
    until_shown(desk, "已审批")
    check("下载银行代发文件" in desk.page_source, "the administrator approves; the bank file can be downloaded")
    desk.save_screenshot(os.path.join(OUT, "payroll-approved.png"))
finally:
    desk.quit()

# On a phone: the county draws last month's payment verification sample and records a call; then reads the report.
phone = make_driver(390, 844, phone=True)
try:
    login(phone, "reviewer")
    phone.get(BASE + "/payment-checks")
    fits_phone(phone, "the payment verification list fits a phone", narrow=True)
    phone.find_element(By.XPATH, "//button[text()='随机抽取本月核验对象']").click()
    until_shown(phone, "已抽取")
    waiting = len(phone.find_elements(By.XPATH, "//button[text()='登记核验结果']"))
    check(waiting >= 1, f"last month's sample is drawn ({waiting} to call on this page)")
    note = phone.find_element(By.NAME, "note")
    phone.execute_script("arguments[0].scrollIntoView({block: 'center'})", note)
    note.send_keys("电话回访：本人确认已到账")
    phone.find_element(By.XPATH, "//button[text()='登记核验结果']").click()
    until_shown(phone, "已登记：核验通过")
    # one fewer to call (a full page of 30 stays full)
    check(len(phone.find_elements(By.XPATH, "//button[text()='登记核验结果']")) == waiting - 1 or waiting == 30,
          "a verification call is recorded on a phone")
    fits_phone(phone, "the verification list fits a phone after recording", narrow=True)
    phone.get(BASE + "/payment-reports")
    until_shown(phone, "各月发放金额")
    check("户数" in phone.page_source and "导出本次结果" in phone.page_source, "the payment report lists months, programmes and streets, with its exports")
    reads_like_a_person(phone, "the payment report")
    phone.save_screenshot(os.path.join(OUT, "payment-report-phone.png"))
finally:
    phone.quit()

# A department data officer uploads a claims file of a few thousand rows. The page answers at once; the
# import runs in the background while the job's page shows the rows done and reloads itself until the report.
claims = os.path.join(tempfile.mkdtemp(), "医保结算-浏览器.csv")
run = int(time.time())
with open(claims, "w", encoding="gb18030") as f:
    f.write("身份证号,姓名,结算日期,个人自付金额,结算单号\n")
    for i in range(20_000):
        f.write(f"{national_id('120104', '19580301', 400 + i % 5)},某,2026-10-{1 + i % 28:02d},{18 + i % 90}.50,B{run}-{i}\n")
desk = make_driver(1280, 900)
try:
    login(desk, "dataofficer")
    desk.get(BASE + "/imports")
    Select(desk.find_element(By.NAME, "feed")).select_by_value("medical-insurance-claims")
    desk.find_element(By.NAME, "file").send_keys(claims)
    desk.find_element(By.CSS_SELECTOR, "form.upload button[type=submit]").click()
    WebDriverWait(desk, 10).until(lambda d: "/imports/jobs/" in d.current_url)
    job = desk.current_url
    check("正在导入" in desk.page_source and "已处理" in desk.page_source, "the upload answers at once with the job's progress")
    desk.save_screenshot(os.path.join(OUT, "import-running.png"))
    until_shown(desk, "导入完成", 120)
    check(desk.current_url == job and "20000" in desk.page_source, "the job's page reloads itself until the report (20000 rows read)")
    desk.save_screenshot(os.path.join(OUT, "import-report.png"))
    desk.get(BASE + "/imports")
    check("医保结算-浏览器.csv" in desk.page_source, "the import history lists the file")
finally:
    desk.quit()
print("browser walkthrough passed")
