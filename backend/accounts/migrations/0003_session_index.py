from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0002_responder_supervisor')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='RefreshToken',
            index=Index(fields=['family', 'revoked_at']),
        ),
    ]
