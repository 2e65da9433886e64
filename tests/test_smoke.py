def test_admin_login_page_is_chinese(client, db):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert "登录" in response.content.decode()


def test_persona_id_numbers_are_valid(personas):
    from onevisit.validators import clean_id_number

    for name in ("citizen", "other_citizen"):
        assert clean_id_number(personas[name].id_number) == personas[name].id_number


def test_production_settings_can_leave_the_demo_and_benchmark_code_out():
    """Without the demo app the platform still checks and migrates cleanly; the benchmark's generator and
    floor are not part of the platform at all (bench/settings.py installs them)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "ONEVISIT_DEMO_APP": "false", "DJANGO_SETTINGS_MODULE": "onevisit.settings"}
    out = subprocess.run([sys.executable, "manage.py", "check"], cwd=root, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    listed = subprocess.run([sys.executable, "manage.py", "help", "--commands"], cwd=root, env=env,
                            capture_output=True, text=True).stdout.split()
    assert "load_demo" not in listed and "generate_cases" not in listed and "migrate" in listed
