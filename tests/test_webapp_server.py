"""`python run_sim.py app`: the real Streamlit server, on 127.0.0.1 only, stopped by Ctrl-C.

The last test drives the app in a real headless browser (Debian's chromium and chromium-driver,
through Selenium): run small_example, set one officer per visit, compare, and find the paired
difference on the page. It is skipped where /usr/bin/chromium is absent.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from repo import ROOT

from sim.cli.webapp import HOST, streamlit_command

pytest.importorskip("streamlit")

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _wait_healthy(port: int, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "the app stopped before it answered"
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError("the app did not answer on 127.0.0.1")


def _start(port: int, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "OFFENDER_SIM_APP_WORKERS": "1"}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run_sim.py"), "app", "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: Ctrl-C goes to it as a terminal sends it
    )


def _screenshot(driver, name: str) -> None:
    """With APP_SCREENSHOTS=folder, keep a picture of the page (for docs/app.md)."""
    folder = os.environ.get("APP_SCREENSHOTS")
    if folder:
        driver.save_screenshot(str(Path(folder) / name))


def _ctrl_c(process: subprocess.Popen) -> tuple[int, str, str]:
    os.killpg(process.pid, signal.SIGINT)
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def test_the_server_is_local_headless_and_sends_no_usage_statistics():
    command = streamlit_command(8600)
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert options == {
        "--server.address": "127.0.0.1",
        "--server.port": "8600",
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
        "--global.developmentMode": "false",
        "--client.toolbarMode": "minimal",
    }


def test_app_prints_its_address_answers_locally_and_ctrl_c_exits_130(tmp_path):
    port = _free_port()
    process = _start(port, tmp_path)
    try:
        _wait_healthy(port, process)
    except BaseException:
        process.kill()
        raise
    code, out, err = _ctrl_c(process)
    assert f"The app is at http://127.0.0.1:{port}" in out
    assert code == 130, (out, err)
    assert "Interrupted" in err and "Traceback" not in err


@pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs /usr/bin/chromium and /usr/bin/chromedriver (Debian packages)",
)
def test_in_a_browser_run_one_officer_compare_and_read_the_paired_difference(tmp_path):
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    port = _free_port()
    process = _start(port, tmp_path)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,2400"):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    driver = None
    try:
        _wait_healthy(port, process)
        driver = webdriver.Chrome(options=options, service=service)
        wait = WebDriverWait(driver, 240)
        driver.get(f"http://{HOST}:{port}")

        def click_button(text: str) -> None:
            xpath = f"//button[normalize-space()='{text}']"
            wait.until(ec.element_to_be_clickable((By.XPATH, xpath))).click()

        def text_appears(text: str) -> None:
            wait.until(ec.text_to_be_present_in_element((By.TAG_NAME, "body"), text))

        text_appears("Offender visit backlog")
        replications = (By.XPATH, "//input[@aria-label='Replications (runs)']")
        field = wait.until(ec.element_to_be_clickable(replications))
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys("3", Keys.ENTER)
        text_appears("--set replications=3")  # the form's change, as the command line spells it
        click_button("Run")
        text_appears("Overdue visits go from 20 on 1 April 2024")
        text_appears("mean of 3 runs")
        _screenshot(driver, "app-run.png")
        # the comparison: the file's two officers per visit against one, at every level
        driver.find_element(By.XPATH, "//*[@role='tab'][contains(., 'Compare')]").click()
        click_button("Compare")
        text_appears("Paired differences")
        text_appears("one_officer: change (95% CI)")  # the table's heading
        text_appears("lone-officer attempts (total)")
        body = driver.find_element(By.TAG_NAME, "body").text
        assert "against baseline" in body
        _screenshot(driver, "app-compare.png")
    finally:
        if driver is not None:
            driver.quit()
        if process.poll() is None:
            _ctrl_c(process)
