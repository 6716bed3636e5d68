"""Shared test set-up: offscreen Qt and user state isolated under tmp_path for every test."""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Before any omaliref module: the session's own state folder, so that what loads outside a test (the session
# catalog, a module-level pack) compiles its pack cache there, never in the user's ~/.cache or ~/.local/share.
os.environ["OMALIREF_STATE_DIR"] = tempfile.mkdtemp(prefix="omaliref-tests-")

import pytest

from omaliref.data.pack_cache import shipped_catalog
from omaliref.domain.model import Catalog

atexit.register(shutil.rmtree, os.environ["OMALIREF_STATE_DIR"], True)  # the session's state folder, set above

TODAY = dt.date(2026, 11, 27)

# The slow set: what `sh packaging/dev.sh test` leaves out locally (-m "not slow") and CI runs (CI=true, or --all).
# Chosen by measuring (`pytest --durations=60`), and marked here rather than in the modules so that one list says
# what the fast loop skips. A test id without [...] marks every parametrisation. Each behaviour keeps a test in the
# fast set: a property test's "_on_a_sample" twin runs the same check on fewer examples; a parametrised test keeps
# some of its cases. tests/unit/test_slow_set.py checks that every entry still names a test.
SLOW = {
    # soak and long property runs (the fast set runs their twins)
    "tests/ui/test_soak.py::test_random_typing_soak": "10,000 keystrokes; test_random_typing_briefly types 200",
    "tests/unit/test_calculator_properties.py::test_invariants": "1,500 generated cases",
    "tests/unit/test_calculator_properties.py::test_least_waste_matches_brute_force": "300 cases against an enumeration",
    "tests/unit/test_audit.py::test_any_keyed_lines_get_findings_never_a_crash": "400 generated exports",
    "tests/unit/test_truth_audit.py::test_the_calculator_chooses_only_verified_packages": "600 generated cases",
    "tests/unit/test_search.py::test_search_never_raises_on_arbitrary_unicode": "1,000 generated texts",
    "tests/e2e/test_claims.py::test_split_lines_have_one_ndc_and_keep_the_units": "200 generated cases",
    # heavy input or builds
    "tests/unit/test_hardening.py::test_a_zip_bomb_is_refused_before_anything_is_inflated": (
        "deflates 300 MB to make the bomb; the fast set has a zip whose headers claim 300 MB"
    ),
    "tests/unit/test_pack.py::test_pack_loads_from_an_installed_wheel": "builds and installs a wheel",
    # subprocess-heavy end-to-end tests (each `python -m omaliref` costs a Python start-up and an import): the fast
    # set keeps one case of each parametrised test, and a twin for the others (named in the reason)
    **dict.fromkeys(
        (
            f"tests/e2e/test_store_values.py::test_a_bad_stored_value_is_left_out_never_a_traceback[{damage}]"
            for damage in ("effective-from", "add-date", "billunits-nan", "pkg-size-huge", "mue-text")
        ),
        "seven subprocesses per damaged value; payment-limit-nan stays in the fast set",
    ),
    **dict.fromkeys(
        (
            "tests/e2e/test_audit_cli.py::"
            f"test_omalirefs_own_837_audits_clean_and_a_changed_ctp_quantity_gets_one_finding[{case}]"
            for case in ("P-case1", "I-case2")
        ),
        "an 837 written and audited in subprocesses; P-case0 stays, and test_keyed_lines reads an 837I in-process",
    ),
    "tests/e2e/test_audit_cli.py::test_an_837i_without_the_ud_its_profile_wants_gets_one_finding": (
        "subprocesses; test_audit's 340B modifier tests judge UD in-process"
    ),
    "tests/e2e/test_any_drug.py::test_an_imported_code_keys_in_every_view_and_refuses_an_implausible_dose": (
        "subprocesses; tests/ui/test_imported_codes_ui.py does the same in the window"
    ),
    **dict.fromkeys(
        (
            f"tests/e2e/test_any_drug.py::test_asp_and_crosswalk_alone_give_claim_lines_with_the_payment_limit[{case}]"
            for case in ("J1100-10mg-10-0.113", "J3301-40mg-4-1.029", "J9035-400mg-40-72.462")
        ),
        "an import and a calculation in subprocesses per code; J0696 stays in the fast set",
    ),
    **dict.fromkeys(
        (
            f"tests/e2e/test_claims.py::test_the_837_lines_validate[{case}]"
            for case in ("P-argv1", "P-argv2", "I-argv4")
        ),
        "an 837 validated with pyx12 per case; P-argv0 and I-argv3 stay in the fast set",
    ),
    **dict.fromkeys(
        (
            f"tests/e2e/test_hostile_text.py::test_imported_text_prints_without_control_or_bidi_characters[{command}]"
            for command in ("show0", "show1", "search0", "search1", "check", "quarters")
        ),
        "a subprocess per command; the units case stays in the fast set",
    ),
    "tests/e2e/test_bad_input_catalogue.py::test_a_sample_through_the_console_script": (
        "subprocesses; the catalogue runs in-process and test_cli's bad-usage tests run the console script"
    ),
    "tests/e2e/test_xlsx_bounds.py::test_broken_xml_in_an_xlsx_is_one_sentence_and_exit_2[without-defusedxml]": (
        "a subprocess without defusedxml; [test-venv] stays in the fast set"
    ),
    "tests/e2e/test_cli.py::test_screenshot_at_a_given_size": "a GUI subprocess; the per-pane screenshot test stays",
    "tests/e2e/test_cli.py::test_search_typo_and_ndc_and_modifier": (
        "three subprocesses; test_search ranks these in-process, test_golden_json runs `search` in-process"
    ),
    "tests/e2e/test_cli.py::test_show_ndc_modifier_topic": (
        "three subprocesses; test_golden_json runs `show` of a product, modifier and topic in-process"
    ),
    "tests/e2e/test_cli.py::test_check_and_dose_and_checklist": (
        "subprocesses; test_golden_json runs check, dose and checklist in-process"
    ),
    "tests/e2e/test_review.py::test_a_crosswalk_that_disagrees_is_a_contradiction_and_exit_1": (
        "an import and a review in subprocesses; test_package_under_another_code_is_contradicted and the "
        "reference pane's contradicted-package test stay"
    ),
    "tests/e2e/test_review.py::test_review_before_any_import_says_nothing_is_imported": (
        "a subprocess; test_golden_json pins review-nothing-imported in-process"
    ),
    "tests/e2e/test_review.py::test_review_of_unknown_quarter_is_refused": (
        "a subprocess; the bad-input catalogue's review-quarter-not-imported case runs in-process"
    ),
    "tests/e2e/test_cms_cli.py::test_review_quarters_and_changes_exit_2_when_the_store_cannot_be_read": (
        "subprocesses; the bad-input catalogue's newer-store cases run review, quarters and changes in-process"
    ),
    "tests/e2e/test_audit_cli.py::test_unreadable_input_exits_2_with_one_sentence": (
        "subprocesses; the bad-input catalogue's audit-missing-file case runs in-process"
    ),
    "tests/e2e/test_audit_cli.py::test_text_puts_the_worst_lines_first": (
        "a subprocess; test_keyed_lines orders the findings worst first in-process"
    ),
    "tests/e2e/test_site_settings_cli.py::test_site_check_lists_three_problems_and_exits_3": (
        "a subprocess; test_site_check_json_shape_is_pinned checks the same folder in-process (exit 3)"
    ),
    "tests/e2e/test_site_settings_cli.py::test_units_uses_the_locked_site_payer_profile_and_setting": (
        "subprocesses; tests/ui/test_site_settings_ui.py locks the payer and setting in the window"
    ),
    "tests/e2e/test_site_cli.py::test_any_command_that_reads_the_store_gets_the_site_quarter": (
        "subprocesses; the first-quarters test in the same module stays"
    ),
    "tests/e2e/test_xlsx_bounds.py::test_a_dimension_bomb_is_read_only_as_far_as_its_rows_go": (
        "a subprocess; the cell-outside-the-bounds cases stay, in-process"
    ),
    "tests/unit/test_hardening.py::test_smoke_test_passes_with_a_damaged_database_and_damaged_preferences": (
        "the GUI smoke test in a subprocess; test_damaged_database_is_set_aside_and_the_curated_pack_works and "
        "test_state cover the damage in-process"
    ),
    # UI parametrisations: each case builds a window
    **dict.fromkeys(
        (
            "tests/ui/test_wrong_claim_paths.py::"
            f"test_payer_type_ahead_then_enter_or_tab_gives_the_same_lines_as_down_and_enter[{case}]"
            for case in ("16777220-illin", "16777220-TEXAS", "16777217-palmetto", "16777217-illin")
        ),
        "six keyboard walks; Return with palmetto and Tab with TEXAS stay in the fast set",
    ),
    **dict.fromkeys(
        (
            f"tests/ui/test_wrong_claim_paths.py::test_ctrl_e_in_a_text_field_exports_the_audit_sheet[{field}]"
            for field in ("payer_box", "date_edit")
        ),
        "a window per field; dose_edit stays in the fast set",
    ),
    **dict.fromkeys(
        (
            f"tests/ui/test_bad_input_ui.py::test_bad_field_input[dose:{dose!r}]"
            for dose in ("0mg", "nan", "inf mg", "1,5mg", "999999999999", "2400000units", "99999mg")
        ),
        "a window per typed dose; test_the_window_refuses_each_dose_the_cli_refuses_with_the_same_sentence "
        "pastes every bad dose into one window, and the other typed doses stay",
    ),
    "tests/unit/test_slow_set.py::test_every_slow_case_is_collected_and_marked": "collects the listed modules again",
    # the full CMS downloads (OMALIREF_CMS_REAL; skipped, saying why, without them)
    "tests/unit/test_site_import.py::test_a_folder_of_real_cms_downloads_imports_once": "real CMS downloads",
    "tests/e2e/test_site_cli.py::test_a_fresh_user_on_a_folder_of_real_cms_downloads": "real CMS downloads",
    "tests/e2e/test_any_drug.py::test_every_code_of_a_real_quarter_calculates_or_says_why": "real CMS downloads",
    "tests/e2e/test_cms_real.py::test_every_real_cms_file_imports": "real CMS downloads",
    "tests/e2e/test_cms_real.py::test_the_shipped_pack_against_the_whole_october_2025_hcpcs_file_and_april_2026_mue": (
        "real CMS downloads"
    ),
}


@pytest.hookimpl(tryfirst=True)  # before -m deselects: "not slow" must see these marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.nodeid in SLOW or item.nodeid.split("[", 1)[0] in SLOW:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def isolated_state(tmp_path, monkeypatch):
    state = tmp_path / "state"
    monkeypatch.setenv("OMALIREF_STATE_DIR", str(state))
    site = tmp_path / "empty-site-folder"  # an empty site folder: the machine's own site folders never reach a test
    site.mkdir()
    monkeypatch.setenv("OMALIREF_SITE_DIR", str(site))
    return state


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return shipped_catalog()
