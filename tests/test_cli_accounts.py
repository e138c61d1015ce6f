"""`kpi-advisor users|workspaces|tokens` on a real database file; bad input exits 2."""

from advisor.accounts.tokens import token_for_secret
from advisor.accounts.users import user_by_email
from advisor.accounts.workspaces import role_in, workspace_by_slug
from advisor.store import open_db
from tests.conftest import PASSWORD


def test_a_newcomer_sets_up_an_account_a_workspace_a_member_and_a_token(run_cli, tmp_path):
    db_file = str(tmp_path / "team.db")
    code, out, err = run_cli("users", "create", "An@Example.com", "--name", "An Nguyễn",
                             "--password-stdin", "--db", db_file, stdin=PASSWORD + "\n")
    assert code == 0 and out == "" and "an@example.com" in err
    assert run_cli("users", "create", "staff@example.com", "--name", "Staff",
                   "--password-stdin", "--db", db_file, stdin=PASSWORD + "\n")[0] == 0
    code, _out, _err = run_cli("workspaces", "create", "binh-minh", "--name", "Bình Minh",
                               "--owner", "an@example.com", "--db", db_file)
    assert code == 0
    assert run_cli("workspaces", "add-member", "binh-minh", "staff@example.com", "--role",
                   "viewer", "--db", db_file)[0] == 0
    code, out, _err = run_cli("tokens", "create", "staff@example.com", "--workspace",
                              "binh-minh", "--read-only", "--name", "BI", "--db", db_file)
    assert code == 0
    secret = out.strip()
    assert out == secret + "\n" and secret.startswith("kpa_")
    db = open_db(db_file)
    workspace = workspace_by_slug(db, "binh-minh")
    staff = user_by_email(db, "staff@example.com")
    assert role_in(db, staff.id, workspace.id) == "viewer"
    token = token_for_secret(db, secret)
    assert token.read_only and token.name == "BI" and token.workspace_id == workspace.id
    db.close()


def test_the_commands_use_the_database_of_the_setting_like_serve(run_cli, tmp_path):
    code, _out, _err = run_cli("users", "create", "an@example.com", "--name", "An",
                               "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0
    db = open_db(tmp_path / "cli.db")  # KPI_ADVISOR_DB of the run_cli fixture
    assert user_by_email(db, "an@example.com") is not None
    db.close()


def test_bad_input_exits_2_with_a_message_in_the_commands_language(run_cli):
    code, out, err = run_cli("users", "create", "an@example.com", "--name", "An",
                             "--password-stdin", "--lang", "en", stdin="1234567890\n")
    assert code == 2 and out == "" and "too common" in err
    code, _out, err = run_cli("users", "create", "an@example.com", "--name", "An",
                              "--password-stdin", stdin="short\n")
    assert code == 2 and "ít nhất 10 ký tự" in err
    run_cli("users", "create", "an@example.com", "--name", "An", "--password-stdin",
            stdin=PASSWORD + "\n")
    code, _out, err = run_cli("workspaces", "create", "Bad Slug", "--name", "X", "--owner",
                              "an@example.com", "--lang", "en")
    assert code == 2 and "slug" in err
    code, _out, err = run_cli("workspaces", "create", "acme", "--name", "ACME", "--owner",
                              "nobody@example.com", "--lang", "en")
    assert code == 2 and "nobody@example.com" in err
    run_cli("workspaces", "create", "acme", "--name", "ACME", "--owner", "an@example.com")
    code, _out, err = run_cli("workspaces", "add-member", "acme", "an@example.com", "--role",
                              "admin")
    assert code == 2
    code, out, err = run_cli("tokens", "create", "an@example.com", "--workspace", "nowhere",
                             "--lang", "en")
    assert code == 2 and out == "" and "nowhere" in err
