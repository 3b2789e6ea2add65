"""A list's cells name their columns (tables.py), for a phone's rows shown as blocks of named lines."""
from markupsafe import Markup

from paraph_web.tables import labelled_cells

SELECT_ALL = Markup('<label hidden><input type="checkbox"> <span class="visually-hidden">Select all</span></label>')


def test_each_cell_is_named_after_its_column_header_as_plain_text_and_each_row_and_cell_says_its_role():
    columns = [(None, SELECT_ALL, False), ("number", "Number", False), (None, "R&D <costs>", True), (None, "", False)]
    rows = Markup('<tr data-n="1"><td class="pick">x</td><TD>Q-1</TD><td class="num">3</td><td><button>Go</button></td></tr>'
                  '<tr><th scope="row">y</th><td>Q-2</td><td>4</td><td></td></tr>')
    assert labelled_cells(rows, columns) == Markup(
        '<tr role="row" data-n="1"><td role="cell" data-label="Select all" class="pick">x</td>'
        '<TD role="cell" data-label="Number">Q-1</TD>'
        '<td role="cell" data-label="R&amp;D &lt;costs&gt;" class="num">3</td><td role="cell"><button>Go</button></td></tr>'
        '<tr role="row"><th role="rowheader" data-label="Select all" scope="row">y</th>'
        '<td role="cell" data-label="Number">Q-2</td><td role="cell" data-label="R&amp;D &lt;costs&gt;">4</td>'
        '<td role="cell"></td></tr>')


def test_a_cell_spanning_columns_a_table_in_a_cell_and_a_cell_already_named_keep_their_own():
    columns = [(None, "A", False), (None, "B", False), (None, "C", False)]
    rows = Markup('<tr><td colspan="2">ab<table><tr><td>inner</td></tr></table></td>'
                  '<td data-label="own" role="gridcell">c</td></tr>')
    assert labelled_cells(rows, columns) == Markup(
        '<tr role="row"><td role="cell" data-label="A" colspan="2">ab<table><tr><td>inner</td></tr></table></td>'
        '<td data-label="own" role="gridcell">c</td></tr>')
