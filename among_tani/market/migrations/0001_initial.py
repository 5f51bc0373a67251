from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from among_tani.market.models import Fulfilment, ListingStatus, OrderStatus, PaymentMethod, PriceLevel
from among_tani.registry.models import Unit
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index
from backend.geo.indexes import add_point_index
from backend.search import add_search_index

class Migration(migrations.Migration):
    dependencies = [('accounts', '0001_initial'), ('accounts', '0002_responder_supervisor'), ('accounts', '0003_session_index'), ('accounts', '0004_protected_identifiers'), ('geo', '0001_initial'), ('geo', '0002_spatial_index'), ('media', '0001_initial'), ('media', '0002_published'), ('tani_registry', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Listing',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('farmer', fields.ForeignKeyField('accounts.User', source_field='farmer_id', db_constraint=True, to_field='id', related_name='tani_listings', on_delete=OnDelete.RESTRICT)),
                ('farmer_profile', fields.ForeignKeyField('tani_registry.FarmerProfile', source_field='farmer_profile_id', db_constraint=True, to_field='id', related_name='listings', on_delete=OnDelete.RESTRICT)),
                ('commodity', fields.ForeignKeyField('tani_registry.Commodity', source_field='commodity_id', db_constraint=True, to_field='id', related_name='listings', on_delete=OnDelete.RESTRICT)),
                ('variety', fields.CharField(default='', max_length=80)),
                ('grade', fields.CharField(default='', max_length=40)),
                ('description', fields.TextField(default='', unique=False)),
                ('unit', fields.CharEnumField(description='KG: kg\nKUINTAL: kuintal\nTON: ton\nIKAT: ikat\nBUAH: buah\nTANGKAI: tangkai\nLITER: liter', enum_type=Unit, max_length=16)),
                ('price_per_unit', fields.BigIntField()),
                ('price_per_base_unit', fields.BigIntField(null=True)),
                ('price_sort', fields.BigIntField()),
                ('quantity_milli', fields.BigIntField()),
                ('available_milli', fields.BigIntField()),
                ('min_order_milli', fields.BigIntField()),
                ('harvest_date', fields.DateField(null=True)),
                ('harvest_day', fields.IntField(default=0)),
                ('available_until', fields.DateField()),
                ('lat', fields.FloatField()),
                ('lon', fields.FloatField()),
                ('public_lat', fields.FloatField()),
                ('public_lon', fields.FloatField()),
                ('village', fields.ForeignKeyField('geo.Area', source_field='village_id', db_constraint=True, to_field='id', related_name='tani_listings', on_delete=OnDelete.RESTRICT)),
                ('fulfilment', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('delivery_radius_km', fields.IntField(null=True)),
                ('delivery_fee', fields.BigIntField(null=True)),
                ('status', fields.CharEnumField(default=ListingStatus.DRAFT, description='DRAFT: draft\nACTIVE: active\nPAUSED: paused\nSOLD_OUT: sold_out\nEXPIRED: expired', enum_type=ListingStatus, max_length=16)),
                ('search_text', fields.TextField(default='', unique=False)),
                ('views', fields.IntField(default=0)),
                ('orders_count', fields.IntField(default=0)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('listed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tani_listing', 'app': 'tani_market', 'indexes': [Index(fields=['status', 'commodity_id']), Index(fields=['farmer_id', 'status']), Index(fields=['status', 'price_sort']), Index(fields=['status', 'listed_at']), Index(fields=['status', 'available_until'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ListingPhoto',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('listing', fields.ForeignKeyField('tani_market.Listing', source_field='listing_id', db_constraint=True, to_field='id', related_name='photo_links', on_delete=OnDelete.CASCADE)),
                ('photo', fields.ForeignKeyField('media.Photo', source_field='photo_id', db_constraint=True, to_field='id', related_name='tani_listing_links', on_delete=OnDelete.RESTRICT)),
                ('position', fields.SmallIntField(default=0)),
            ],
            options={'table': 'tani_listing_photo', 'app': 'tani_market', 'unique_together': (('listing', 'photo'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Order',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('buyer', fields.ForeignKeyField('accounts.User', source_field='buyer_id', db_constraint=True, to_field='id', related_name='tani_orders', on_delete=OnDelete.RESTRICT)),
                ('farmer', fields.ForeignKeyField('accounts.User', source_field='farmer_id', db_constraint=True, to_field='id', related_name='tani_sales', on_delete=OnDelete.RESTRICT)),
                ('farmer_profile', fields.ForeignKeyField('tani_registry.FarmerProfile', source_field='farmer_profile_id', db_constraint=True, to_field='id', related_name='orders', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharEnumField(default=OrderStatus.PLACED, description='PLACED: placed\nACCEPTED: accepted\nDECLINED: declined\nREADY: ready\nCOMPLETED: completed\nCANCELLED: cancelled\nEXPIRED: expired', enum_type=OrderStatus, max_length=16)),
                ('client_request_id', fields.CharField(max_length=64)),
                ('request_fingerprint', fields.CharField(max_length=64)),
                ('fulfilment', fields.CharEnumField(description='PICKUP: pickup\nDELIVERY: delivery\nCOURIER: courier', enum_type=Fulfilment, max_length=16)),
                ('delivery_lat', fields.FloatField(null=True)),
                ('delivery_lon', fields.FloatField(null=True)),
                ('payment_method', fields.CharEnumField(description='COD: cod\nBANK_TRANSFER: bank_transfer\nQRIS: qris', enum_type=PaymentMethod, max_length=16)),
                ('note', fields.CharField(default='', max_length=1000)),
                ('subtotal', fields.BigIntField()),
                ('delivery_fee', fields.BigIntField(default=0)),
                ('total', fields.BigIntField()),
                ('respond_by', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('accepted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ready_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('close_reason', fields.CharField(default='', max_length=500)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('rating', fields.SmallIntField(null=True)),
                ('rating_comment', fields.CharField(default='', max_length=1000)),
                ('rated_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tani_order', 'app': 'tani_market', 'unique_together': (('buyer', 'client_request_id'),), 'indexes': [Index(fields=['buyer_id', 'status']), Index(fields=['farmer_id', 'status']), Index(fields=['status', 'respond_by'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrderLine',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('tani_market.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE)),
                ('listing', fields.ForeignKeyField('tani_market.Listing', source_field='listing_id', db_constraint=True, to_field='id', related_name='order_lines', on_delete=OnDelete.RESTRICT)),
                ('commodity', fields.ForeignKeyField('tani_registry.Commodity', source_field='commodity_id', db_constraint=True, to_field='id', related_name='order_lines', on_delete=OnDelete.RESTRICT)),
                ('quantity_milli', fields.BigIntField()),
                ('unit', fields.CharEnumField(description='KG: kg\nKUINTAL: kuintal\nTON: ton\nIKAT: ikat\nBUAH: buah\nTANGKAI: tangkai\nLITER: liter', enum_type=Unit, max_length=16)),
                ('price_per_unit', fields.BigIntField()),
                ('line_total', fields.BigIntField()),
            ],
            options={'table': 'tani_order_line', 'app': 'tani_market', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OrderMessage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('order', fields.ForeignKeyField('tani_market.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('accounts.User', source_field='author_id', db_constraint=True, to_field='id', related_name='tani_order_messages', on_delete=OnDelete.RESTRICT)),
                ('text', fields.CharField(max_length=1000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'tani_order_message', 'app': 'tani_market', 'indexes': [Index(fields=['order_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PriceMarket',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=48)),
                ('name', fields.CharField(max_length=120)),
            ],
            options={'table': 'tani_price_market', 'app': 'tani_market', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MarketPrice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('date', fields.DateField()),
                ('market', fields.ForeignKeyField('tani_market.PriceMarket', source_field='market_id', db_constraint=True, to_field='id', related_name='prices', on_delete=OnDelete.RESTRICT)),
                ('commodity', fields.ForeignKeyField('tani_registry.Commodity', source_field='commodity_id', db_constraint=True, to_field='id', related_name='market_prices', on_delete=OnDelete.RESTRICT)),
                ('level', fields.CharEnumField(description='PRODUCER: producer\nWHOLESALE: wholesale\nRETAIL: retail', enum_type=PriceLevel, max_length=16)),
                ('unit', fields.CharEnumField(description='KG: kg\nKUINTAL: kuintal\nTON: ton\nIKAT: ikat\nBUAH: buah\nTANGKAI: tangkai\nLITER: liter', enum_type=Unit, max_length=16)),
                ('price', fields.BigIntField()),
                ('price_per_base_unit', fields.BigIntField(null=True)),
                ('source', fields.CharField(default='', max_length=200)),
                ('demo', fields.BooleanField(default=False)),
                ('entered_by', fields.ForeignKeyField('accounts.User', source_field='entered_by_id', null=True, db_constraint=True, to_field='id', related_name='tani_prices', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'tani_market_price', 'app': 'tani_market', 'unique_together': (('date', 'market', 'commodity', 'level'),), 'indexes': [Index(fields=['commodity_id', 'level', 'date'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        # Public distances and the near-me search use the public (grid) point only.
        add_point_index('tani_listing', lat_column='public_lat', lon_column='public_lon',
                        index='public'),
        add_search_index('tani_listing'),
    ]
