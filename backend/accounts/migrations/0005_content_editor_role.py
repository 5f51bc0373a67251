from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.accounts.models import Role
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('accounts', '0004_protected_identifiers')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='UserRole',
            name='role',
            field=fields.CharEnumField(description='CITIZEN: citizen\nFARMER: farmer\nBUYER: buyer\nEXTENSION_OFFICER: extension_officer\nRESPONDER: responder\nOPERATOR: operator\nADMIN: admin\nCONTENT_EDITOR: content_editor', enum_type=Role, max_length=32),
        ),
    ]
