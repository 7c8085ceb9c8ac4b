"""Managing accounts: admins manage everyone, people manage themselves."""
