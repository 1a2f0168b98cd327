"""A small Odoo 17.0 addons repository for the demo and the end-to-end tests.

Three addons that pass the build (valid manifests, Python that compiles),
one of which still uses two things Odoo 18.0 renamed: a ``<tree>`` list view
and a field's ``group_operator=``, so an upgrade scan 17.0 -> 18.0 has
findings to show.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

FILES = {
    "README.md": "# Library addons\n\nCustom Odoo 17.0 addons of a small lending library.\n",
    "library_core/__init__.py": "from . import models\n",
    "library_core/__manifest__.py": """{
    "name": "Library",
    "summary": "Books, authors and loans",
    "version": "17.0.1.2.0",
    "category": "Services",
    "license": "LGPL-3",
    "author": "Demo Integrator",
    "depends": ["base", "mail"],
    "data": [
        "security/ir.model.access.csv",
        "views/library_book_views.xml",
    ],
    "installable": True,
    "application": True,
}
""",
    "library_core/models/__init__.py": "from . import library_book\n",
    "library_core/models/library_book.py": '''from odoo import api, fields, models


class LibraryBook(models.Model):
    _name = "library.book"
    _description = "Book"
    _inherit = ["mail.thread"]
    _order = "name"

    name = fields.Char(required=True, tracking=True)
    isbn = fields.Char(string="ISBN", copy=False)
    author_ids = fields.Many2many("res.partner", string="Authors")
    copies = fields.Integer(default=1, group_operator="sum")
    loaned = fields.Integer(compute="_compute_loaned", store=True)
    available = fields.Integer(compute="_compute_loaned", store=True)
    loan_ids = fields.One2many("library.loan", "book_id")

    @api.depends("copies", "loan_ids.returned")
    def _compute_loaned(self):
        for book in self:
            book.loaned = len(book.loan_ids.filtered(lambda loan: not loan.returned))
            book.available = book.copies - book.loaned


class LibraryLoan(models.Model):
    _name = "library.loan"
    _description = "Loan"

    book_id = fields.Many2one("library.book", required=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Borrower", required=True)
    date_due = fields.Date(required=True)
    returned = fields.Boolean()
''',
    "library_core/security/ir.model.access.csv": (
        "id,name,model_id:id,group_id:id,perm_read,perm_write,perm_create,perm_unlink\n"
        "access_library_book_user,library.book user,model_library_book,base.group_user,1,1,1,1\n"
        "access_library_loan_user,library.loan user,model_library_loan,base.group_user,1,1,1,1\n"
    ),
    "library_core/views/library_book_views.xml": """<?xml version="1.0" encoding="utf-8"?>
<odoo>
    <record id="library_book_view_list" model="ir.ui.view">
        <field name="name">library.book.list</field>
        <field name="model">library.book</field>
        <field name="arch" type="xml">
            <tree string="Books">
                <field name="name"/>
                <field name="isbn"/>
                <field name="copies" sum="Copies"/>
                <field name="available"/>
            </tree>
        </field>
    </record>

    <record id="library_book_view_form" model="ir.ui.view">
        <field name="name">library.book.form</field>
        <field name="model">library.book</field>
        <field name="arch" type="xml">
            <form string="Book">
                <sheet>
                    <group>
                        <field name="name"/>
                        <field name="isbn"/>
                        <field name="author_ids" widget="many2many_tags"/>
                        <field name="copies"/>
                        <field name="available" invisible="copies == 0"/>
                    </group>
                </sheet>
                <div class="oe_chatter">
                    <field name="message_ids"/>
                </div>
            </form>
        </field>
    </record>

    <record id="library_book_action" model="ir.actions.act_window">
        <field name="name">Books</field>
        <field name="res_model">library.book</field>
    </record>

    <menuitem id="library_menu_root" name="Library"/>
    <menuitem id="library_book_menu" parent="library_menu_root" action="library_book_action"/>
</odoo>
""",
    "library_portal/__init__.py": "from . import controllers\n",
    "library_portal/__manifest__.py": """{
    "name": "Library Portal",
    "summary": "Borrowers see their loans in the portal",
    "version": "17.0.1.0.1",
    "category": "Services",
    "license": "LGPL-3",
    "author": "Demo Integrator",
    "depends": ["library_core", "portal"],
    "installable": True,
}
""",
    "library_portal/controllers/__init__.py": "from . import portal\n",
    "library_portal/controllers/portal.py": '''from odoo import http
from odoo.http import request


class LibraryPortal(http.Controller):
    @http.route("/my/loans", type="http", auth="user", website=False)
    def my_loans(self, **kwargs):
        loans = request.env["library.loan"].search([("partner_id", "=", request.env.user.partner_id.id)])
        return request.render("library_portal.portal_my_loans", {"loans": loans})
''',
    "library_reminders/__init__.py": "from . import models\n",
    "library_reminders/__manifest__.py": """{
    "name": "Library Loan Reminders",
    "summary": "E-mail borrowers whose loans are due",
    "version": "17.0.1.0.0",
    "category": "Services",
    "license": "LGPL-3",
    "author": "Demo Integrator",
    "depends": ["library_core", "mail"],
    "installable": True,
}
""",
    "library_reminders/models/__init__.py": "from . import library_loan\n",
    "library_reminders/models/library_loan.py": '''from datetime import date

from odoo import models


class LibraryLoan(models.Model):
    _inherit = "library.loan"

    def _send_due_reminders(self):
        overdue = self.search([("returned", "=", False), ("date_due", "<", date.today())])
        for loan in overdue:
            loan.book_id.message_post(body=f"Loan of {loan.partner_id.name} is overdue")
        return len(overdue)
''',
}


def _git(args: list[str], cwd: Path) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "OdooOps Demo", "GIT_AUTHOR_EMAIL": "demo@odooops.invalid",
        "GIT_COMMITTER_NAME": "OdooOps Demo", "GIT_COMMITTER_EMAIL": "demo@odooops.invalid",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    proc = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return proc.stdout.strip()


def create(path: Path, files: dict[str, str] | None = None, message: str = "Library addons for Odoo 17.0") -> str:
    """Write the addons into a new git repository at ``path`` on branch main; return the commit id."""
    path.mkdir(parents=True, exist_ok=True)
    _git(["init", "-q", "-b", "main", "."], path)
    for rel, text in (files or FILES).items():
        f = path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
    _git(["add", "-A"], path)
    _git(["commit", "-q", "-m", message], path)
    return _git(["rev-parse", "HEAD"], path)


def commit(path: Path, files: dict[str, str], message: str) -> str:
    """Add or change files in the repository and commit; return the new commit id."""
    for rel, text in files.items():
        f = path / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(text)
    _git(["add", "-A"], path)
    _git(["commit", "-q", "-m", message], path)
    return _git(["rev-parse", "HEAD"], path)
