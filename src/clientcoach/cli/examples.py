"""One or more examples for every command's help, by command path.

Kept as data in one place, rather than in each declaration, so that a test can check
that no command is left without one, and so the examples read as a set.
"""

EXAMPLES: dict[str, list[str]] = {
    "prep": ["coach prep ACME", "coach prep ACME --quick", "coach prep ACME -a answers.toml"],
    "debrief": [
        "coach debrief ACME",
        "coach debrief ACME --full",
        "coach debrief ACME -d yesterday",
    ],
    "deepdive": ["coach deepdive", "coach deepdive ACME"],
    "resume": ["coach resume", "coach resume 1a2b"],
    "doctor": ["coach doctor", "coach doctor --quarantine"],
    "brief": ["coach brief ACME", "coach brief ACME --json"],
    "followups": ["coach followups", "coach followups --overdue --json"],
    "done": ["coach done 1a2b3c.1"],
    "history": ["coach history --client ACME", "coach history -g price --since -30d"],
    "show": ["coach show 1a2b3c", "coach show 1a2b3c --markdown > m.md"],
    "export": [
        "coach export -f csv",
        "coach export -f ics -o due.ics",
        "coach export -f markdown --redact",
    ],
    "clients": ["coach clients", "coach clients --json"],
    "review": [
        "coach review",
        "coach review --month 2026-03",
        "coach review --focus",
        "coach review --last --html r.html",
    ],
    "playbooks": ["coach playbooks", "coach playbooks show debrief"],
    "playbooks list": ["coach playbooks list --json"],
    "playbooks show": ["coach playbooks show troll-bridge"],
    "playbooks check": ["coach playbooks check", "coach playbooks check my-prep --json"],
    "playbooks new": [
        "coach playbooks new pre --kind prep",
        "coach playbooks new mine --from prep",
    ],
    "playbooks schema": ["coach playbooks schema > pb.json"],
    "config": ["coach config list", "coach config set mode quick"],
    "config list": ["coach config list --json"],
    "config get": ["coach config get language"],
    "config set": ["coach config set language fr", "coach config set mode quick"],
    "config unset": ["coach config unset mode"],
    "config path": ["coach config path"],
    "drafts": ["coach drafts", "coach drafts discard 1a2b3c"],
    "drafts list": ["coach drafts list"],
    "drafts discard": ["coach drafts discard 1a2b3c"],
    "edit": ["coach edit 1a2b3c"],
    "delete": ["coach delete 1a2b3c", "coach delete 1a2b3c --yes"],
    "restore": ["coach restore 1a2b3c"],
    "trash": ["coach trash", "coach trash empty"],
    "trash list": ["coach trash list --json"],
    "trash empty": ["coach trash empty --yes"],
    "help": ["coach help prep", "coach help playbooks check"],
}
