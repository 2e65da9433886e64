from ninja import Router

router = Router(tags=["电子档案"])
