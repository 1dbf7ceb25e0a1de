// @vitest-environment happy-dom
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { cleanup, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { en } from "../../../i18n/locales/en";
import { renderWithProviders } from "../../conversation/components/test-providers";
import { settingsEn } from "../i18n/settings.en";
import { PAGE_SIZE } from "./client-pagination";
import { SettingsTable } from "./settings-table";

type Team = { id: string; name: string; memberCount: number };

const teamsNamed = (count: number): Team[] =>
  Array.from({ length: count }, (_, index) => ({ id: `team-${index + 1}`, name: `Team ${index + 1}`, memberCount: index }));

/** A list page's table over a query whose answers the test decides, one call at a time. */
const TeamsTable = ({ load }: { load: () => Promise<{ items: Team[] }> }) => {
  const query = useQuery({ queryKey: ["teams-under-test"], queryFn: load });
  return (
    <SettingsTable
      query={query}
      label="Teams"
      empty={{ title: "No teams yet", description: "Create one to route conversations." }}
      minWidth={400}
      toolbar={<input aria-label="Search teams" />}
      columns={[
        { header: "Name", cell: (team) => team.name },
        { header: "Members", cell: (team) => String(team.memberCount) },
      ]}
    />
  );
};

type TeamPage = { items: Team[]; nextCursor: number | null };

/** An audit-log-like table over a cursor-paged query: each call answers the page at its cursor. */
const CursorTeamsTable = ({ load, withCard }: { load: (cursor: number) => Promise<TeamPage>; withCard?: boolean }) => {
  const query = useInfiniteQuery({
    queryKey: ["team-pages-under-test"],
    queryFn: ({ pageParam }) => load(pageParam),
    initialPageParam: 0,
    getNextPageParam: (lastPage: TeamPage) => lastPage.nextCursor,
  });
  return (
    <SettingsTable
      query={query}
      label="Teams"
      empty={{ title: "No teams yet", description: "Create one to route conversations." }}
      minWidth={400}
      rowTestId="team-row"
      withCard={withCard}
      columns={[{ header: "Name", cell: (team) => team.name }]}
    />
  );
};

/** Pages of three teams, the last one at `lastCursor`. */
const pageAt = (cursor: number, lastCursor: number): TeamPage => ({
  items: teamsNamed(3 * (cursor + 1)).slice(3 * cursor),
  nextCursor: cursor < lastCursor ? cursor + 1 : null,
});

afterEach(cleanup);

describe("SettingsTable", () => {
  it("shows a skeleton while loading, then the rows under their headings", async () => {
    let answer: (value: { items: Team[] }) => void = () => undefined;
    renderWithProviders(<TeamsTable load={() => new Promise((resolve) => (answer = resolve))} />);
    expect(screen.getByTestId("settings-loading")).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();

    answer({ items: teamsNamed(2) });
    const table = await screen.findByRole("table", { name: "Teams" });
    expect(screen.queryByTestId("settings-loading")).toBeNull();
    expect(
      within(table)
        .getAllByRole("columnheader")
        .map((cell) => cell.textContent),
    ).toEqual(["Name", "Members"]);
    const rows = within(table).getAllByRole("row").slice(1);
    expect(
      rows.map((row) =>
        within(row)
          .getAllByRole("cell")
          .map((cell) => cell.textContent),
      ),
    ).toEqual([
      ["Team 1", "0"],
      ["Team 2", "1"],
    ]);
    // One page: no pagination to offer.
    expect(screen.queryByRole("navigation")).toBeNull();
  });

  it("says so when the list is empty, and keeps its toolbar to search again", async () => {
    renderWithProviders(<TeamsTable load={async () => ({ items: [] })} />);
    expect(await screen.findByText("No teams yet")).toBeTruthy();
    expect(screen.getByText("Create one to route conversations.")).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
    expect(screen.getByRole("textbox", { name: "Search teams" })).toBeTruthy();
  });

  it("shows why loading failed and loads again on retry", async () => {
    let calls = 0;
    const load = async () => {
      calls += 1;
      if (calls === 1) throw new Error("The server could not be reached.");
      return { items: teamsNamed(1) };
    };
    renderWithProviders(<TeamsTable load={load} />);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain(settingsEn.common.loadFailed);
    expect(screen.queryByRole("table")).toBeNull();

    fireEvent.click(within(alert).getByRole("button", { name: en.common.retry }));
    expect(await screen.findByRole("cell", { name: "Team 1" })).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(calls).toBe(2);
  });

  it("pages a long list on screen", async () => {
    renderWithProviders(<TeamsTable load={async () => ({ items: teamsNamed(PAGE_SIZE + 5) })} />);
    const table = await screen.findByRole("table", { name: "Teams" });
    expect(within(table).getAllByRole("row")).toHaveLength(PAGE_SIZE + 1);
    expect(within(table).getByRole("cell", { name: "Team 1" })).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: settingsEn.common.nextPage }));
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(5 + 1));
    expect(within(table).getByRole("cell", { name: `Team ${PAGE_SIZE + 1}` })).toBeTruthy();
    expect(within(table).queryByRole("cell", { name: "Team 1" })).toBeNull();
  });

  it("sits in its own card unless told it is inside one already", async () => {
    const framed = renderWithProviders(<TeamsTable load={async () => ({ items: teamsNamed(1) })} />);
    await screen.findByRole("table", { name: "Teams" });
    expect(framed.container.querySelector(".mantine-Card-root")).not.toBeNull();
    cleanup();

    const bare = renderWithProviders(<CursorTeamsTable withCard={false} load={async (cursor) => pageAt(cursor, 0)} />);
    await screen.findByRole("table", { name: "Teams" });
    expect(bare.container.querySelector(".mantine-Card-root")).toBeNull();
  });

  describe("over a cursor-paged list", () => {
    it("shows every loaded page and loads the next on request, until there is none", async () => {
      renderWithProviders(<CursorTeamsTable load={async (cursor) => pageAt(cursor, 1)} />);
      await waitFor(() => expect(screen.getAllByTestId("team-row")).toHaveLength(3));
      expect(screen.queryByRole("navigation")).toBeNull();

      fireEvent.click(screen.getByRole("button", { name: settingsEn.common.loadMore }));
      await waitFor(() => expect(screen.getAllByTestId("team-row")).toHaveLength(6));
      expect(screen.getByRole("cell", { name: "Team 6" })).toBeTruthy();
      expect(screen.queryByRole("button", { name: settingsEn.common.loadMore })).toBeNull();
    });

    it("keeps the rows it has when the next page fails, and offers to try that page again", async () => {
      let failNextPage = true;
      const load = async (cursor: number) => {
        if (cursor === 1 && failNextPage) {
          failNextPage = false;
          throw new Error("The server could not be reached.");
        }
        return pageAt(cursor, 1);
      };
      renderWithProviders(<CursorTeamsTable load={load} />);
      fireEvent.click(await screen.findByRole("button", { name: settingsEn.common.loadMore }));

      const alert = await screen.findByRole("alert");
      expect(alert.textContent).toContain(settingsEn.common.loadMoreFailed);
      expect(alert.textContent).not.toContain(settingsEn.common.loadFailed);
      expect(screen.getAllByTestId("team-row")).toHaveLength(3);

      fireEvent.click(within(alert).getByRole("button", { name: en.common.retry }));
      await waitFor(() => expect(screen.getAllByTestId("team-row")).toHaveLength(6));
      expect(screen.queryByRole("alert")).toBeNull();
    });

    it("shows the empty state when the first page holds nothing", async () => {
      renderWithProviders(<CursorTeamsTable load={async () => ({ items: [], nextCursor: null })} />);
      expect(await screen.findByText("No teams yet")).toBeTruthy();
      expect(screen.queryByRole("table")).toBeNull();
      expect(screen.queryByRole("button", { name: settingsEn.common.loadMore })).toBeNull();
    });
  });
});
