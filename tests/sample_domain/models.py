from tortoise import fields
from tortoise.models import Model


class SampleNote(Model):
    id = fields.IntField(primary_key=True)
    author = fields.ForeignKeyField("accounts.User", related_name="sample_notes",
                                    on_delete=fields.CASCADE)
    text = fields.CharField(max_length=200)
    # Private notes are heard of by their author alone; public ones by everyone.
    private = fields.BooleanField(default=False)
    archived = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "sample_note"
