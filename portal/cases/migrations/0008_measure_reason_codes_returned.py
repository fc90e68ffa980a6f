# Coded facts of not providing help and the partner's return of a measure (issue 16, item 1).

from django.db import migrations, models

REASON_CODES = [
    ("not_our_profile", "not our profile"), ("no_capacity", "no capacity"),
    ("cannot_contact", "cannot contact the recipient"), ("recipient_refused", "the recipient refused"),
    ("documents_missing", "documents missing"), ("other", "other"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0007_measure_organisation_deadline_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="measure",
            name="not_fulfilled_code",
            field=models.CharField(blank=True, choices=REASON_CODES, max_length=32,
                                   verbose_name="reason code (not fulfilled)"),
        ),
        migrations.AddField(
            model_name="measure",
            name="return_code",
            field=models.CharField(blank=True, choices=REASON_CODES, max_length=32,
                                   verbose_name="reason code (returned)"),
        ),
        migrations.AddField(
            model_name="measure",
            name="return_reason",
            field=models.TextField(blank=True, verbose_name="comment on the return"),
        ),
        migrations.AlterField(
            model_name="measure",
            name="status",
            field=models.CharField(choices=[("assigned", "assigned"), ("accepted", "accepted"),
                                            ("fulfilled", "fulfilled"), ("not_fulfilled", "not fulfilled"),
                                            ("cancelled", "cancelled"), ("returned", "returned")],
                                   db_index=True, default="assigned", max_length=16, verbose_name="status"),
        ),
    ]
