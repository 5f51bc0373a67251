from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from backend.crypto.fields import EncryptedField, LookupHashField
from backend.crypto.keys import keyring
from backend.migration_ops import AlterTable

BATCH = 500


async def encrypt_existing(apps, schema_editor) -> None:
    # Phones and NIKs written before this migration are plain text: encrypt them and fill the
    # look-up hashes, a batch per transaction. A row already encrypted (a re-run after an
    # interruption) is recognised by its "<key id>:" prefix, which a phone (+62…) or a NIK
    # (digits) never has.
    from tortoise.transactions import in_transaction

    client = schema_editor.client
    postgres = schema_editor.DIALECT == "postgres"
    ring = keyring()

    def sql(text: str) -> str:
        if not postgres:
            return text
        parts = text.split("?")
        return "".join(f"{p}${i}" for i, p in enumerate(parts[:-1], start=1)) + parts[-1]

    last = 0
    while True:
        rows = await client.execute_query_dict(
            sql("SELECT id, phone, nik FROM account_user WHERE id > ? ORDER BY id LIMIT ?"),
            [last, BATCH],
        )
        if not rows:
            break
        async with in_transaction(client.connection_name) as txn:
            for row in rows:
                phone, nik = row["phone"], row["nik"]
                if phone is not None and ":" in phone:
                    continue
                await txn.execute_query(
                    sql("UPDATE account_user SET phone = ?, phone_hash = ?, nik = ?, nik_hash = ? "
                        "WHERE id = ?"),
                    [
                        None if phone is None else ring.encrypt(phone, "account_user.phone"),
                        None if phone is None else ring.lookup_hash(phone, "account_user.phone"),
                        None if nik is None else ring.encrypt(nik, "account_user.nik"),
                        None if nik is None else ring.lookup_hash(nik, "account_user.nik"),
                        row["id"],
                    ],
                )
        last = rows[-1]["id"]
    # Failed sign-ins were keyed by an unkeyed SHA-256 of the phone/NIK, which a dictionary of
    # Indonesian numbers reverses; they live 15 minutes anyway.
    await client.execute_query("DELETE FROM account_login_failure")
    if not postgres:
        # Rewrite the file: the plain values copied during the rebuild leave no trace in free
        # pages or the write-ahead log.
        await client.execute_script("PRAGMA wal_checkpoint(TRUNCATE)")
        await client.execute_script("VACUUM")
        await client.execute_script("PRAGMA wal_checkpoint(TRUNCATE)")


class Migration(migrations.Migration):
    dependencies = [('accounts', '0003_session_index')]

    initial = False
    # SQLite: the table rebuild runs with foreign keys switched off, which cannot happen inside
    # a transaction; AlterTable makes its own (see backend.migration_ops), and the data
    # migration commits a batch at a time, then vacuums.
    atomic = False

    operations = [
        AlterTable(
            ops.AlterField(
                model_name='User',
                name='name',
                field=fields.CharField(null=True, max_length=120),
            ),
            ops.AlterField(
                model_name='User',
                name='phone',
                field=EncryptedField(context='account_user.phone', null=True),
            ),
            ops.AlterField(
                model_name='User',
                name='nik',
                field=EncryptedField(context='account_user.nik', null=True),
            ),
            ops.AddField(
                model_name='User',
                name='phone_hash',
                field=LookupHashField(source='phone', null=True, unique=True, max_length=64),
            ),
            ops.AddField(
                model_name='User',
                name='nik_hash',
                field=LookupHashField(source='nik', null=True, unique=True, max_length=64),
            ),
            ops.AddField(
                model_name='User',
                name='erased_at',
                field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
            ),
        ),
        ops.RunPython(encrypt_existing, atomic=False),
    ]
