"""Scales shared by several apps, so that the same thing is measured the same way everywhere."""

from django.db import models


class Satisfaction(models.IntegerChoices):
    """The five levels of 好差评 (国办发〔2019〕51号, GB/T 39734-2020): used for cases and window services
    (feedback), hotline tickets and intermediaries alike. 不满意 and 非常不满意 are 差评."""

    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASICALLY_SATISFIED = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"

    @classmethod
    def is_bad(cls, level: int) -> bool:
        """差评: the two lowest levels."""
        return int(level) <= cls.DISSATISFIED

    @classmethod
    def is_satisfied(cls, level: int) -> bool:
        """Counted as satisfied in a 满意率: 基本满意 and above."""
        return int(level) >= cls.BASICALLY_SATISFIED
