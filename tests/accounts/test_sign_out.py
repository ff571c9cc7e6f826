"""Signing out ends that device's session on the server: a copy of its cookies no longer opens the account,
while the same account stays signed in on its other devices."""
from __future__ import annotations

from sqlalchemy import func, select

from marketplace.accounts.models import SignIn
from marketplace.extensions import db

from ..helpers import Client

COOKIES = ("serumpun_session", "serumpun_remember")


def copy_of(app, device: Client, names=COOKIES) -> Client:
    """Another browser holding copies of the device's cookies (a stolen or synced cookie)."""
    thief = Client(app)
    for name in names:
        cookie = device.http.get_cookie(name)
        if cookie is not None:
            thief.http.set_cookie(name, cookie.value)
    return thief


def sign_ins(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SignIn))


def test_a_session_copied_before_sign_out_is_dead_after_it_and_other_devices_stay_signed_in(app, demo):
    laptop, phone = Client(app), Client(app)
    laptop.login("buyer@serumpun.example")
    phone.login("buyer@serumpun.example", remember="y")
    copied_session = copy_of(app, laptop, ["serumpun_session"])
    assert copied_session.get("/account").status_code == 200  # the copy works while the laptop is signed in
    assert sign_ins(app) == 2

    assert laptop.logout().status_code == 302
    replay = copied_session.get("/account")
    assert replay.status_code == 302 and replay.headers["Location"].startswith("/login")
    assert copied_session.get("/login").status_code == 200 and "Sign in" in copied_session.get("/login").text
    assert laptop.get("/account").status_code == 302
    assert phone.get("/account").status_code == 200  # the other device is still signed in
    assert sign_ins(app) == 1


def test_a_remember_me_cookie_copied_before_sign_out_is_dead_after_it(app, demo):
    laptop, phone = Client(app), Client(app)
    laptop.login("merchant@serumpun.example", remember="y")
    phone.login("merchant@serumpun.example", remember="y")
    copied_remember = copy_of(app, laptop, ["serumpun_remember"])  # the session cookie long gone, say
    assert copied_remember.get("/merchant/").status_code == 200

    laptop.logout()
    for copy in (copy_of(app, laptop, ["serumpun_remember"]), copied_remember):
        copy.http.delete_cookie("serumpun_session")
        assert copy.get("/merchant/").status_code == 302
    assert copy_of(app, phone, ["serumpun_remember"]).get("/merchant/").status_code == 200


def test_a_password_change_ends_every_other_sign_in(app, demo):
    laptop, phone = Client(app), Client(app)
    laptop.login("merchant@serumpun.example", remember="y")
    phone.login("merchant@serumpun.example")
    stolen = copy_of(app, laptop)
    response = phone.post("/account/password", {"pw-current_password": "serumpun-demo",
                                                "pw-password": "sangrai-pagi-2027", "pw-confirm": "sangrai-pagi-2027"},
                          token_from="/account")
    assert response.status_code == 302
    assert stolen.get("/merchant/").status_code == 302 and laptop.get("/merchant/").status_code == 302
    assert phone.get("/merchant/").status_code == 200
    assert sign_ins(app) == 1  # only the phone's, renewed
