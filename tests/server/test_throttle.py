"""The sign-in throttle and the client address it keys on.

Addresses other than 127.0.0.1 reach the test server the way they would reach a
real one behind a reverse proxy: the proxy (127.0.0.1, configured as trusted)
appends the client's address to ``X-Forwarded-For``.
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pygotchi.server.clientaddr import TrustedProxies
from pygotchi.server.ratelimit import DatabaseBook, MemoryBook, SignInThrottle, Throttled
from pygotchi.server.settings import Settings
from pygotchi.store import Database
from tests.server.databases import PostgresDatabases, postgres_for_tests
from tests.server.helpers import PASSWORD, add_player, set_up_admin


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def attempt(throttle: SignInThrottle, account: str, address: str, ok: bool,
            device: str | None = None) -> float:
    """0 if the password was checked, else the wait the throttle asked for."""
    try:
        a = throttle.begin(account, address, device)
    except Throttled as exc:
        return exc.wait
    throttle.end(a, ok)
    return 0.0


# --- the throttle on its own, with a clock we move -------------------------------------
# Each case runs on both books: this process's memory (SQLite servers) and the database
# (servers sharing a PostgreSQL).

@pytest.fixture(scope="module")
def pg_pool():
    url, why_not = postgres_for_tests()
    if url is None:
        pytest.skip(f"needs PostgreSQL: {why_not}")
    pool = PostgresDatabases(url)
    yield pool
    pool.drop_all()


@pytest.fixture(params=["memory", "database"])
def book(request):
    if request.param == "memory":
        yield MemoryBook()
        return
    db = Database(request.getfixturevalue("pg_pool").fresh())
    yield DatabaseBook(db)
    db.close()


def test_pair_limit_does_not_touch_the_owner_elsewhere(book):
    t = SignInThrottle(5, 20, 900, clock=FakeClock(), book=book)
    for _ in range(5):
        assert attempt(t, "kim", "10.0.0.1", ok=False) == 0
    assert attempt(t, "kim", "10.0.0.1", ok=True) > 0  # that pair waits
    assert attempt(t, "kim", "10.0.0.2", ok=True) == 0  # the owner elsewhere does not
    assert attempt(t, "lee", "10.0.0.1", ok=True) == 0  # nor other accounts from there


def test_address_limit_only_blocks_that_address(book):
    t = SignInThrottle(5, 20, 900, clock=FakeClock(), book=book)
    for i in range(20):
        assert attempt(t, f"guess{i}", "10.0.0.1", ok=False) == 0
    assert attempt(t, "kim", "10.0.0.1", ok=True) > 0
    assert attempt(t, "kim", "10.0.0.2", ok=True) == 0


def test_distributed_guessing_slows_an_account_without_locking_it(book):
    clock = FakeClock()
    t = SignInThrottle(5, 20, 900, account_free=10, account_max_delay=30, clock=clock,
                       book=book)
    for i in range(10):  # ten addresses, one wrong password each
        assert attempt(t, "kim", f"10.1.0.{i}", ok=False) == 0
    waits = []
    for i in range(12):  # the attack goes on: every admitted try doubles the delay
        wait = attempt(t, "kim", f"10.2.0.{i}", ok=False)
        if wait:
            waits.append(wait)
            clock.now += wait
            assert attempt(t, "kim", f"10.2.0.{i}", ok=False) == 0
    assert waits and max(waits) <= 30  # never more than the cap, never a 15-minute lock
    # the owner from a new address waits at most the cap, then gets in
    wait = attempt(t, "kim", "192.168.1.5", ok=True)
    assert 0 < wait <= 30
    clock.now += wait
    assert attempt(t, "kim", "192.168.1.5", ok=True) == 0
    # a browser that signed in to the account before is not slowed down at all
    assert attempt(t, "kim", "192.168.1.6", ok=True, device="my-phone") == 0


def test_parallel_attempts_cannot_slip_past_the_limit(book):
    t = SignInThrottle(3, 20, 900, clock=FakeClock(), book=book)
    admitted = []
    for _ in range(10):  # all begun before any of them ends
        try:
            admitted.append(t.begin("kim", "10.0.0.1"))
        except Throttled:
            pass
    assert len(admitted) == 3


def test_a_right_password_withdraws_the_attempt(book):
    t = SignInThrottle(3, 20, 900, clock=FakeClock(), book=book)
    for _ in range(10):
        assert attempt(t, "kim", "10.0.0.1", ok=True) == 0


def test_a_withdrawn_attempt_keeps_earlier_failures(book):
    """Right password, second factor to come: not a failure, but no clean slate either."""
    t = SignInThrottle(3, 20, 900, clock=FakeClock(), book=book)
    for _ in range(2):
        attempt(t, "kim", "a", ok=False)
    t.withdraw(t.begin("kim", "a"))
    attempt(t, "kim", "a", ok=False)
    assert attempt(t, "kim", "a", ok=True) > 0


def test_failures_leave_the_window(book):
    clock = FakeClock()
    t = SignInThrottle(2, 20, 900, clock=clock, book=book)
    attempt(t, "kim", "a", ok=False)
    attempt(t, "kim", "a", ok=False)
    wait = attempt(t, "kim", "a", ok=True)
    assert 0 < wait <= 900
    clock.now += wait
    assert attempt(t, "kim", "a", ok=True) == 0


# --- which address is the client's --------------------------------------------------------

def test_forwarded_for_is_read_right_to_left_up_to_the_first_stranger():
    proxies = TrustedProxies.parse("127.0.0.1, 10.0.0.0/8")
    assert proxies.client_from("127.0.0.1", ["203.0.113.9"]) == "203.0.113.9"
    # the client wrote the leftmost entry itself: it is not believed
    assert proxies.client_from("127.0.0.1", ["1.1.1.1, 203.0.113.9"]) == "203.0.113.9"
    # two proxies of ours in a row
    assert proxies.client_from("127.0.0.1", ["1.1.1.1, 203.0.113.9, 10.0.0.7"]) == \
        "203.0.113.9"
    assert proxies.client_from("127.0.0.1", ["203.0.113.9:5555"]) == "203.0.113.9"
    assert proxies.client_from("127.0.0.1", ["[2001:db8::1]:443"]) == "2001:db8::1"
    assert proxies.client_from("127.0.0.1", ["not an address"]) == "127.0.0.1"
    assert proxies.client_from("127.0.0.1", ["1.1.1.1, junk"]) == "127.0.0.1"
    assert not TrustedProxies.parse("").trusts("127.0.0.1")
    assert TrustedProxies.parse("*").trusts("198.51.100.1")


def test_a_mistyped_proxy_setting_stops_the_start():
    with pytest.raises(ValidationError, match="not an IP address"):
        Settings(forwarded_allow_ips="127.0.0.1, my-proxy")


# --- through the API --------------------------------------------------------------------

def _sign_in(c, username: str, password: str, address: str | None = None) -> int:
    headers = {"X-Forwarded-For": address} if address else {}
    return c.post("/api/session", json={"username": username, "password": password},
                  headers=headers).status_code


def test_wrong_passwords_from_one_address_do_not_stop_the_owner_at_another(serve):
    server = serve(forwarded_allow_ips="127.0.0.1")  # 127.0.0.1 plays the reverse proxy
    admin = set_up_admin(server)
    add_player(admin, "victim").close()
    with server.client() as c:
        for _ in range(5):
            assert _sign_in(c, "victim", "guess guess", "198.51.100.7") == 401
        assert _sign_in(c, "victim", PASSWORD, "198.51.100.7") == 429
        r = c.post("/api/session", json={"username": "victim", "password": "guess guess"},
                   headers={"X-Forwarded-For": "198.51.100.7"})
        assert r.json()["error"] == "rate_limited" and 0 < int(r.headers["Retry-After"]) <= 900
        assert _sign_in(c, "victim", PASSWORD, "203.0.113.20") == 200
    admin.close()


def test_twenty_failures_from_one_address_do_not_block_other_addresses(serve):
    server = serve(forwarded_allow_ips="127.0.0.1")
    admin = set_up_admin(server)
    add_player(admin, "victim").close()
    with server.client() as c:
        statuses = [_sign_in(c, name, "wrong wrong", "198.51.100.7")
                    for name in ["victim"] * 10 + [f"guess{i}" for i in range(15)]]
        assert statuses.count(401) == 20  # 5 on the victim (then that pair waits) + 15
        assert _sign_in(c, "admin", PASSWORD, "198.51.100.7") == 429  # that address waits
        # a forged entry left of the proxy's own does not pick the address
        assert _sign_in(c, "admin", PASSWORD, "203.0.113.21, 198.51.100.7") == 429
    # the people at other addresses, the victim included, are not affected
    for name, address in (("victim", "203.0.113.20"), ("admin", "203.0.113.21")):
        with server.client() as c:
            assert _sign_in(c, name, PASSWORD, address) == 200
    admin.close()


def test_forged_forwarded_for_changes_nothing_without_a_proxy(serve):
    server = serve(signin_failures_per_user=100, signin_failures_per_address=4)
    admin = set_up_admin(server)
    with server.client() as c:
        for i in range(4):  # each try claims to come from somewhere else
            assert _sign_in(c, f"guess{i}", "wrong wrong", f"198.51.100.{i}") == 401
        assert _sign_in(c, "admin", PASSWORD, "203.0.113.99") == 429  # it is all 127.0.0.1
    events = admin.call("GET", "/api/audit?kind=signin_failed").json()["events"]
    assert {e["address"] for e in events} == {"127.0.0.1"}
    admin.close()


def test_a_known_browser_gets_in_while_an_account_is_under_attack(serve):
    server = serve(forwarded_allow_ips="127.0.0.1", signin_account_free=3,
                   signin_account_max_delay=600)
    admin = set_up_admin(server)
    add_player(admin, "victim").close()
    with server.client() as phone:  # the owner's phone signed in before: device cookie
        assert _sign_in(phone, "victim", PASSWORD, "203.0.113.20") == 200
        phone.delete("/api/session", headers={"X-CSRF-Token": phone.get("/api/session")
                                              .json()["csrf_token"]})
        with server.client() as c:
            for i in range(6):
                _sign_in(c, "victim", "wrong wrong", f"198.51.100.{i}")
            assert _sign_in(c, "victim", PASSWORD, "192.0.2.1") == 429  # slowed down
        assert _sign_in(phone, "victim", PASSWORD, "192.0.2.2") == 200
    admin.close()
