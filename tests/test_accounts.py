"""Accounts in the store: passwords, sign-in limits, workspaces and roles, invitations, tokens."""

import datetime as dt
import time

import pytest

from advisor.accounts.errors import (
    DuplicateError,
    InvitationError,
    TooManyAttemptsError,
    UnknownError,
    WeakPasswordError,
)
from advisor.accounts.passwords import common_passwords
from advisor.accounts.tokens import create_token, revoke_token, token_for_secret
from advisor.accounts.users import create_user, sign_in
from advisor.accounts.workspaces import (
    accept_invitation,
    add_member,
    create_invitation,
    create_workspace,
    members,
    memberships,
    open_invitation,
    remove_member,
    role_in,
    slug_for,
)
from advisor.store import transaction
from tests.conftest import PASSWORD


@pytest.mark.parametrize("password, problem", [
    ("short", "auth.password.short"),
    ("123456789", "auth.password.short"),
    ("1234567890", "auth.password.common"),
    ("Password123", "auth.password.common"),
    ("MATKHAU123", "auth.password.common"),
    ("an@example.com", "auth.password.common"),
])
def test_weak_passwords_are_refused(db, password, problem):
    with pytest.raises(WeakPasswordError) as caught:
        create_user(db, "an@example.com", "An", password)
    assert caught.value.msgid == problem
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_the_common_list_ships_as_package_data_and_every_entry_is_long_enough():
    found = common_passwords()
    assert len(found) > 50 and all(len(p) >= 10 for p in found)


def test_passwords_are_stored_as_argon2_hashes_and_emails_without_case(db):
    user = create_user(db, " An@Example.COM ", "An", PASSWORD)
    stored = db.execute("SELECT email, password_hash FROM users").fetchone()
    assert stored[0] == "an@example.com" and stored[1].startswith("$argon2id$")
    assert PASSWORD not in stored[1]
    assert sign_in(db, "AN@example.com", PASSWORD, "1.2.3.4", 10, 900).id == user.id
    with pytest.raises(DuplicateError):
        create_user(db, "an@example.com", "Other", PASSWORD)


@pytest.mark.parametrize("email", ["", "no-at-sign", "a@b", "two@@example.com", "sp ace@x.vn"])
def test_malformed_emails_are_refused(db, email):
    with pytest.raises(UnknownError) as caught:
        create_user(db, email, "An", PASSWORD)
    assert caught.value.field == "email"


def test_ten_failures_from_one_address_lock_that_account_there_for_the_window(db):
    create_user(db, "an@example.com", "An", PASSWORD)
    started = time.monotonic()
    for _ in range(10):
        assert sign_in(db, "an@example.com", "wrong password!", "1.2.3.4", 10, 900) is None
    with pytest.raises(TooManyAttemptsError) as caught:
        sign_in(db, "an@example.com", PASSWORD, "1.2.3.4", 10, 900)  # even the right one
    # Counted from the first failure (argon2 takes its time on a loaded machine).
    elapsed = time.monotonic() - started
    assert 900 - elapsed - 2 <= caught.value.retry_after <= 901
    assert caught.value.values["minutes"] == 15
    # Another address, or the window past, is not locked.
    assert sign_in(db, "an@example.com", PASSWORD, "5.6.7.8", 10, 900) is not None
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=901)).isoformat(timespec="seconds")
    with transaction(db):
        db.execute("UPDATE login_failures SET at = ?", [old])
    assert sign_in(db, "an@example.com", PASSWORD, "1.2.3.4", 10, 900) is not None


def test_an_unknown_email_fails_like_a_wrong_password_and_is_counted(db):
    assert sign_in(db, "nobody@example.com", PASSWORD, "1.2.3.4", 2, 900) is None
    assert sign_in(db, "nobody@example.com", PASSWORD, "1.2.3.4", 2, 900) is None
    with pytest.raises(TooManyAttemptsError):
        sign_in(db, "nobody@example.com", PASSWORD, "1.2.3.4", 2, 900)


def test_workspaces_keep_roles_and_an_owner(db):
    owner = create_user(db, "owner@example.com", "Owner", PASSWORD)
    staff = create_user(db, "staff@example.com", "Staff", PASSWORD)
    workspace = create_workspace(db, "binh-minh", "Công ty Bình Minh", owner.id)
    add_member(db, workspace.id, staff.id, "viewer")
    assert role_in(db, staff.id, workspace.id) == "viewer"
    add_member(db, workspace.id, staff.id, "editor")
    assert [(m.email, m.role) for m in members(db, workspace.id)] == [
        ("owner@example.com", "owner"), ("staff@example.com", "editor")]
    assert [m.workspace.slug for m in memberships(db, staff.id)] == ["binh-minh"]
    with pytest.raises(UnknownError):
        remove_member(db, workspace.id, owner.id)  # the last owner stays
    with pytest.raises(UnknownError):
        add_member(db, workspace.id, owner.id, "viewer")
    assert role_in(db, owner.id, workspace.id) == "owner"
    with pytest.raises(UnknownError):
        add_member(db, workspace.id, staff.id, "admin")
    remove_member(db, workspace.id, staff.id)
    assert role_in(db, staff.id, workspace.id) is None
    with pytest.raises(DuplicateError):
        create_workspace(db, "binh-minh", "Again", owner.id)
    with pytest.raises(UnknownError):
        create_workspace(db, "Bình Minh", "Bad slug", owner.id)


def test_slugs_are_made_from_vietnamese_names():
    assert slug_for("Công ty Đông Á") == "cong-ty-dong-a"
    assert slug_for("!!!") == "workspace"


def test_an_invitation_works_once_for_its_role_and_not_after_it_expires(db):
    owner = create_user(db, "owner@example.com", "Owner", PASSWORD)
    workspace = create_workspace(db, "acme", "ACME", owner.id)
    secret, invitation = create_invitation(db, workspace.id, "Client@Example.com", "editor",
                                           owner.id, 7)
    assert invitation.email == "client@example.com"
    stored = db.execute("SELECT token_hash FROM invitations").fetchone()[0]
    assert secret not in stored
    expires = dt.datetime.fromisoformat(invitation.expires)
    assert dt.timedelta(days=6, hours=23) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(
        days=7)
    client = create_user(db, "client@example.com", "Client", PASSWORD)
    accept_invitation(db, secret, client.id)
    assert role_in(db, client.id, workspace.id) == "editor"
    with pytest.raises(InvitationError) as caught:
        accept_invitation(db, secret, client.id)
    assert caught.value.msgid == "invitation.used"
    with pytest.raises(InvitationError) as caught:
        open_invitation(db, "made-up")
    assert caught.value.msgid == "invitation.unknown"
    late, _ = create_invitation(db, workspace.id, "late@example.com", "viewer", owner.id, 7)
    with transaction(db):
        db.execute("UPDATE invitations SET expires = '2000-01-01T00:00:00+00:00' "
                   "WHERE email = 'late@example.com'")
    with pytest.raises(InvitationError) as caught:
        open_invitation(db, late)
    assert caught.value.msgid == "invitation.expired"


def test_tokens_are_stored_hashed_and_stop_when_revoked_or_their_user_leaves(db):
    owner = create_user(db, "owner@example.com", "Owner", PASSWORD)
    staff = create_user(db, "staff@example.com", "Staff", PASSWORD)
    workspace = create_workspace(db, "acme", "ACME", owner.id)
    with pytest.raises(UnknownError):
        create_token(db, staff.id, workspace.id, "ci", read_only=True)  # not a member
    add_member(db, workspace.id, staff.id, "editor")
    secret, token = create_token(db, staff.id, workspace.id, "ci", read_only=True)
    assert secret.startswith("kpa_") and len(secret) > 40
    assert secret not in str(db.execute("SELECT * FROM api_tokens").fetchall())
    found = token_for_secret(db, secret)
    assert found.id == token.id and found.read_only and found.workspace_id == workspace.id
    assert token_for_secret(db, secret + "x") is None
    assert db.execute("SELECT last_used FROM api_tokens").fetchone()[0] is not None
    remove_member(db, workspace.id, staff.id)
    assert token_for_secret(db, secret) is None
    add_member(db, workspace.id, staff.id, "editor")
    assert token_for_secret(db, secret) is not None
    other = create_workspace(db, "other", "Other", owner.id)
    assert not revoke_token(db, other.id, token.id)  # only its own workspace revokes it
    assert revoke_token(db, workspace.id, token.id)
    assert token_for_secret(db, secret) is None
    assert not revoke_token(db, workspace.id, token.id)
