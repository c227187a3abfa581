from tests.helpers import login


async def test_login_and_me(client, demo, clock):
    headers = await login(client, demo.account("doctor_wang"), clock)
    r = await client.get("/auth/me", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["roles"] == ["doctor"]
