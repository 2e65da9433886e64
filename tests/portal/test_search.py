"""Search by plain words over a small catalog built and published through the catalog services."""

import pytest
from django.core.management import call_command

from onevisit.catalog.models import ItemType
from onevisit.catalog.services import (
    bundle_create,
    bundle_publish,
    item_create,
    item_publish,
    item_retire,
)
from onevisit.portal.models import SearchEntry
from onevisit.portal.search import search, search_index_refresh_item, tokens


def _item(personas, departments, region, code, name, *, keywords="", department="market",
          conditions="符合条件的申请人均可申请。"):
    item = item_create(
        actor=personas["catalog_admin"],
        data={
            "implementation_code": code, "name": name, "basic_code": code[:10], "item_type": ItemType.PUBLIC_SERVICE,
            "keywords": keywords, "level": region.level, "region": region, "department": departments[department],
            "targets": ["person"], "channels": ["window", "online"], "promised_limit": 5, "legal_limit": 20,
            "conditions": conditions,
        },
    )
    return item_publish(actor=personas["catalog_admin"], item=item)


@pytest.fixture
def catalog(personas, departments, region_tree):
    city = region_tree["city"]
    items = {
        "transfer": _item(personas, departments, city, "331100-RE-0001", "不动产转移登记",
                          keywords="买卖 过户 房产证", department="realestate"),
        "deed_tax": _item(personas, departments, city, "331100-TX-0001", "契税申报", keywords="买房 交税",
                          department="tax"),
        "bus_card": _item(personas, departments, city, "331100-BUS-0001", "公交老年卡申领", keywords="敬老 乘车"),
        "food": _item(personas, departments, city, "331100-MK-0001", "食品经营许可", keywords="餐饮 开店",
                      conditions="具有与经营的食品品种相适应的食品安全管理制度和专职食品安全管理人员。"),
    }
    bundle = bundle_create(
        actor=personas["catalog_admin"],
        data={"code": "second-hand-house", "name": "二手房交易过户一件事", "description": "买卖二手房一次办好",
              "keywords": "二手房 买房 卖房", "lead_department": departments["realestate"]},
        entries=[{"stage": 1, "item_code": "331100-RE-0001"}, {"stage": 1, "item_code": "331100-TX-0001"}],
    )
    bundle_publish(actor=personas["catalog_admin"], bundle=bundle)
    call_command("rebuild_search_index")
    return {"items": items, "bundle": bundle}


def test_tokens_drop_stopwords_and_keep_words():
    toks = tokens("我要办理二手房过户")
    assert "二手房" in toks and "过户" in toks
    assert "我" not in toks and "办理" not in toks


def test_rebuild_indexes_published_items_and_bundles(catalog):
    assert SearchEntry.objects.count() == 5


def test_plain_words_find_the_bundle_first(catalog):
    results = search("二手房过户")
    assert results[0].title == "二手房交易过户一件事"
    assert results[0].kind_label == "一件事" and results[0].url == "/guide/bundles/second-hand-house/"
    assert "不动产转移登记" in [r.title for r in results]


def test_reordered_words_still_find_the_item(catalog):
    results = search("老年公交卡")
    assert results[0].title == "公交老年卡申领"
    assert results[0].url == "/guide/items/331100-BUS-0001/"


def test_keywords_and_guide_text_are_searched(catalog):
    assert search("开餐饮店")[0].title == "食品经营许可"
    assert search("食品安全管理制度")[0].title == "食品经营许可"  # from the guide text


def test_unrelated_or_empty_queries_find_nothing(catalog):
    assert search("护照签证") == []
    assert search("") == [] and search("我要办理") == []


def test_retired_item_leaves_the_index(catalog, personas):
    item_retire(actor=personas["catalog_admin"], item=catalog["items"]["bus_card"], reason="并入新事项")
    search_index_refresh_item(code="331100-BUS-0001")
    assert [r.title for r in search("老年公交卡")] == []


def test_search_page_lists_results(client, catalog):
    page = client.get("/search/", {"q": "二手房过户"}).content.decode()
    assert "二手房交易过户一件事" in page and 'href="/guide/bundles/second-hand-house/"' in page
    page = client.get("/search/", {"q": "护照签证"}).content.decode()
    assert "没有找到与“护照签证”相关的服务" in page


def test_publishing_and_retiring_update_the_index_without_a_rebuild(
    personas, departments, region_tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item = _item(personas, departments, region_tree["city"], "331100-HY-0001", "婚姻登记预约", keywords="结婚")
    assert [r.key for r in search("结婚登记")] == ["331100-HY-0001"]
    with django_capture_on_commit_callbacks(execute=True):
        item_retire(actor=personas["catalog_admin"], item=item, reason="停止办理")
    assert search("结婚登记") == []
