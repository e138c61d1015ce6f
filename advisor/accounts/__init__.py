"""People, client workspaces, their roles, invitations, API tokens and sign-in limits."""
