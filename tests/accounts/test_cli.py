"""Officers and admins come from the command line (or an admin's invitation)."""
from __future__ import annotations

from sqlalchemy import select

from marketplace.accounts.models import Role, User
from marketplace.extensions import db

from ..helpers import Client


def test_create_officer_from_the_command_line(app):
    result = app.test_cli_runner().invoke(
        args=["create-officer", "Staf@MBPJ.example", "--org", "Majlis Bandaraya Petaling Jaya", "--name",
              "Hafiz Rahman", "--country", "MY", "--password", "jalan-templer-46"],
    )
    assert result.exit_code == 0, result.output
    assert "Created officer staf@mbpj.example" in result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "staf@mbpj.example"))
        assert user.role == Role.OFFICER
        assert user.officer_profile.organisation == "Majlis Bandaraya Petaling Jaya"
        assert user.officer_profile.country == "MY"
    client = Client(app)
    assert client.login("staf@mbpj.example", "jalan-templer-46").headers["Location"] == "/officer/"


def test_create_admin_asks_for_the_password_twice(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "root@serumpun.example"], input="admin-kuat-2026\nadmin-kuat-2026\n"
    )
    assert result.exit_code == 0, result.output
    assert Client(app).login("root@serumpun.example", "admin-kuat-2026").headers["Location"] == "/admin/"


def test_command_line_refuses_weak_passwords_and_duplicates(app, demo):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["create-admin", "x@serumpun.example", "--password", "password123"])
    assert weak.exit_code != 0
    assert "too common" in weak.output
    taken = runner.invoke(args=["create-officer", "officer@serumpun.example", "--org", "Pemkot Bandung",
                                "--password", "another-good-one-1"])
    assert taken.exit_code != 0
    assert "already exists" in taken.output
    missing_org = runner.invoke(args=["create-officer", "new@serumpun.example", "--password", "another-good-one-1"])
    assert missing_org.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "x@serumpun.example")) is None
