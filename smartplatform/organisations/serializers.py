from typing import Any

from rest_framework import serializers

from smartplatform.organisations.models import Municipality


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields: Any = (
            "code",
            "name",
            "slug",
            "organisation_number",
            "population",
            "latitude",
            "longitude",
        )
        read_only_fields = fields
