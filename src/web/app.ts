// What each page and action does, over the same core as the CLI: Session for listings, the
// sharing engine for share/unshare (verified by read-back). Requests here have already passed
// the security gate in server.ts.
import type { Session } from '../session.js';
import { sameResource } from '../discovery/propfind.js';
import { UsageError } from '../errors.js';
import { context, listSharees, share, unshare } from '../sharing/engine.js';
import { parseEmails } from '../sharing/identity.js';
import { othersOf, shareesOf } from '../sharing/sharees.js';
import { inert, inertLine } from '../util/inert.js';
import { shareeGuidance } from '../invitations/guidance.js';
import { calendarName, type Calendar } from '../discovery/calendars.js';
import { html, type Html } from './html.js';
import { calendarList, calendarPage, layout, type Who } from './pages.js';
import { confirmRevoke, peopleList, resultBox, shareesSection } from './fragments.js';
import { checkPeople } from '../people/check.js';
import { matching, peopleSharedWith, sharedBefore } from '../people/suggest.js';
import { directoryVisible, searchDirectory, type DirectoryPerson } from '../people/directory.js';
import { problem, refusal, type Problem } from './problems.js';
import type { OtherGrantee } from '../sharing/types.js';

export interface AppRequest {
  method: 'GET' | 'POST';
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
  /** Sent by htmx: answer with a fragment for the target, not a whole page. */
  htmx: boolean;
  csrf: string;
}

export interface Reply {
  status: number;
  body: Html;
}

export class App {
  constructor(readonly session: Session) {}

  get who(): Who {
    return { user: this.session.transport.user, server: this.session.baseUrl.host };
  }

  async handle(r: AppRequest): Promise<Reply> {
    let cal: Calendar | undefined;
    try {
      if (r.method === 'GET' && r.path === '/') return this.page(r, 'Calendars', await this.list());
      if (r.path === '/plan' || r.path.startsWith('/plan/')) return await this.plan(r);
      if (r.path === '/shared' || r.path.startsWith('/shared/')) return await this.shared(r);
      if (r.method === 'GET' && r.path === '/people') return { status: 200, body: peopleList(await this.suggest(r.query.get('email') ?? '')) };
      if (r.path === '/calendar' && r.method === 'GET') {
        cal = await this.calendar(r.query.get('path'));
        return this.page(r, calendarName(cal), await this.calendarView(r, cal));
      }
      if (r.path === '/delegates' && r.method === 'GET') return this.page(r, 'Delegates', await this.delegatesView(r));
      if (r.method === 'POST' && r.path.startsWith('/delegates/')) return await this.delegatesAction(r);
      if (r.method === 'POST' && r.path.startsWith('/calendar/')) {
        cal = await this.calendar(r.form.get('path'));
        const action = ACTIONS[r.path];
        if (action) return await action(this, r, cal);
      }
      return this.fail(r, refusal(404, 'No such page', 'calshare has no page at this address.'));
    } catch (e) {
      const p = problem(e);
      if (r.htmx || !cal) return this.fail(r, p);
      return { status: p.status, body: layout(calendarName(cal), r.csrf, this.who, await this.calendarView(r, cal, { result: p.body })) };
    }
  }

  /** The sharing-plan page: GET the form; POST plan/diff sends nothing that changes state; POST plan/apply applies. */
  async plan(r: AppRequest): Promise<Reply> {
    const { planForm, planDiff, planApplied } = await import('./plan-page.js');
    if (r.method === 'GET' && r.path === '/plan') return this.page(r, 'Sharing plan', planForm(r.csrf));
    const text = r.form.get('plan') ?? '';
    // The uploaded file's name (plan-page.ts): only its extension is used, to read a .csv as CSV.
    const fileName = (r.form.get('plan-name') ?? '').slice(0, 255);
    const prune = r.form.get('prune') === '1';
    const { parsePlan } = await import('../plans/schema.js');
    const { planPlan, applyPlan } = await import('../plans/apply.js');
    let body: Html;
    try {
      const plan = parsePlan(text, fileName || undefined);
      this.session.invalidate();
      if (r.method === 'POST' && r.path === '/plan/diff') body = planDiff(r.csrf, await planPlan(this.session, plan, { prune }), text, prune, fileName);
      else if (r.method === 'POST' && r.path === '/plan/apply') body = planApplied(await applyPlan(this.session, plan, { prune }));
      else return this.fail(r, refusal(404, 'No such page', 'calshare has no page at this address.'));
    } catch (e) {
      const p = problem(e);
      if (r.htmx) return { status: p.status, body: p.body };
      return { status: p.status, body: layout('Sharing plan', r.csrf, this.who, html`${planForm(r.csrf, text, prune, fileName)}${p.body}`) };
    }
    return r.htmx ? { status: 200, body } : this.page(r, 'Sharing plan', html`${planForm(r.csrf, text, prune, fileName)}${body}`);
  }

  /** "Shared with me": invitations and calendars of others; a failed action shows on the same page. */
  async shared(r: AppRequest): Promise<Reply> {
    const { sharedWithMePage, SHARED_ACTIONS } = await import('./shared-with-me.js');
    if (r.method === 'GET' && r.path === '/shared') return this.page(r, 'Shared with me', await sharedWithMePage(this.session, r.csrf));
    const action = r.method === 'POST' ? SHARED_ACTIONS[r.path] : undefined;
    if (!action) return this.fail(r, refusal(404, 'No such page', 'calshare has no page at this address.'));
    let slots;
    try {
      slots = await action(this.session, r.form, r.csrf);
    } catch (e) {
      const p = problem(e);
      return { status: p.status, body: layout('Shared with me', r.csrf, this.who, await sharedWithMePage(this.session, r.csrf, { result: p.body })) };
    }
    return this.page(r, 'Shared with me', await sharedWithMePage(this.session, r.csrf, slots));
  }

  page(r: AppRequest, title: string, main: Html): Reply {
    return { status: 200, body: layout(title, r.csrf, this.who, main) };
  }

  fail(r: AppRequest, p: Problem): Reply {
    return { status: p.status, body: r.htmx ? p.body : layout('Problem', r.csrf, this.who, html`<p class="back"><a href="./">← All calendars</a></p>${p.body}`) };
  }

  async list(): Promise<Html> {
    this.session.invalidate(); // someone may have changed sharing since the last page
    const [cals, ctx] = await Promise.all([this.session.calendars(), context(this.session)]);
    const list = calendarList(
      cals.map((c) => {
        if (!c.owned) return { calendar: c, sharees: undefined, others: [] };
        const all = shareesOf(c, ctx);
        // Groups a sharing dialect lists next to people (Nextcloud's oc:invite) are counted as groups, not people.
        const groups = all.flatMap((s): OtherGrantee[] => (s.group !== undefined ? [{ kind: 'group', href: s.principal ?? s.group, name: s.group, level: s.level, sources: s.sources }] : []));
        return { calendar: c, sharees: all.length - groups.length, others: [...groups, ...othersOf(c, ctx)] };
      }),
    );
    return html`${list}<p class="plan-link"><a href="plan">Sharing plan: many calendars and people at once</a></p>`;
  }

  /** The calendar a request names by path, read fresh from the server. */
  async calendar(path: string | null): Promise<Calendar> {
    if (!path || !path.startsWith('/')) throw new UsageError('no calendar named in the request', 'Pick a calendar from the list.');
    this.session.invalidate();
    const url = new URL(path, this.session.baseUrl);
    const hit = (await this.session.calendars()).find((c) => sameResource(c.url, url));
    if (!hit) throw new UsageError(`there is no calendar at ${inertLine(path)} for ${this.session.transport.user}`, 'Pick a calendar from the list; it may have been deleted.');
    return hit;
  }

  async calendarView(r: AppRequest, cal: Calendar, slots: { result?: Html; confirm?: Html } = {}): Promise<Html> {
    const [ctx, [listed]] = await Promise.all([context(this.session), listSharees(this.session, cal)]);
    const visible = await this.directory(listed!.sharees.flatMap((p) => (p.email ? [p.email] : [])));
    const note = visible
      ? 'Suggestions come from people you already share with and from the server’s directory.'
      : 'This server does not let calshare search its directory; suggestions are the people you already share with.';
    const delegates = await this.foldDelegates([listed!]);
    const { delegatesNote } = await import('./delegates.js');
    return html`${calendarPage({ csrf: r.csrf, calendar: cal }, listed!, ctx.layout?.domains[0], slots, note)}${delegatesNote(delegates)}`;
  }

  private visible: Promise<boolean> | undefined;
  /** Whether the server's directory can be searched (learned once per server run). */
  directory(known?: readonly string[]): Promise<boolean> {
    // Learned from someone already shared with when there is one at hand (one search, cached).
    return (this.visible ??= Promise.all([this.session.principal(), known ?? sharedBefore(this.session)]).then(([me, k]) => directoryVisible(this.session.transport, me.url, k), () => false));
  }

  /** Autocomplete for the address field: people shared with before, then the directory. */
  async suggest(typed: string): Promise<DirectoryPerson[]> {
    // The field takes several addresses: suggest for the one being typed (after the last comma).
    const last = typed.split(',').pop()!.trim();
    const known = matching(await peopleSharedWith(this.session), last);
    const found = (await this.directory()) ? await searchDirectory(this.session.transport, (await this.session.principal()).url, last) : [];
    const seen = new Set(known.map((p) => p.email.toLowerCase()));
    const prefix = typed.includes(',') ? `${typed.slice(0, typed.lastIndexOf(',') + 1)} ` : '';
    return [...known, ...found.filter((p) => !seen.has(p.email.toLowerCase()))].slice(0, 10).map((p) => ({ email: `${prefix}${p.email}`, name: p.name }));
  }

  /** Delegates reach this calendar too: listed apart, marked "all calendars" (never fails the page). */
  async foldDelegates(list: Awaited<ReturnType<typeof listSharees>>) {
    const { withDelegates } = await import('../delegation/audit.js');
    return withDelegates(this.session, list).catch(() => []);
  }

  async delegatesView(r: AppRequest, slots: { result?: Html; confirm?: Html } = {}): Promise<Html> {
    const { delegatesPage } = await import('./delegates.js');
    const ctx = await context(this.session);
    return delegatesPage(this.session, r.csrf, ctx.layout?.domains[0], slots);
  }

  /** The Delegates panel's POSTs: a confirm step, or a verified result plus the list as read back. */
  async delegatesAction(r: AppRequest): Promise<Reply> {
    const { DELEGATES_ACTIONS, confirmUndelegate, delegatesList } = await import('./delegates.js');
    const action = DELEGATES_ACTIONS[r.path];
    if (!action) return this.fail(r, refusal(404, 'No such page', 'calshare has no page at this address.'));
    try {
      const done = await action(this.session, r.form);
      if (done.kind === 'confirm') {
        const confirm = confirmUndelegate(r.csrf, done.who);
        if (r.htmx) return { status: 200, body: html`${confirm}<div id="result" aria-live="polite" hx-swap-oob="true"></div>` };
        return this.page(r, 'Delegates', await this.delegatesView(r, { confirm }));
      }
      const status = done.ok ? 200 : 502;
      if (!r.htmx) return { status, body: layout('Delegates', r.csrf, this.who, await this.delegatesView(r, { result: done.body })) };
      const { listDelegates } = await import('../delegation/delegation.js');
      const { delegates } = await listDelegates(this.session);
      return { status, body: html`${done.body}${delegatesList(r.csrf, delegates, { oob: true })}` };
    } catch (e) {
      const p = problem(e);
      if (r.htmx) return this.fail(r, p);
      return { status: p.status, body: layout('Delegates', r.csrf, this.who, await this.delegatesView(r, { result: p.body }).catch(() => p.body)) };
    }
  }

  /** After a change: the verified result, plus the who-has-access list as the read-back shows it. */
  async changed(r: AppRequest, cal: Calendar, result: Html, ok: boolean, extra?: Html): Promise<Reply> {
    const status = ok ? 200 : 502;
    if (!r.htmx) return { status, body: layout(calendarName(cal), r.csrf, this.who, await this.calendarView(r, cal, { result })) };
    const [listed] = await listSharees(this.session, cal);
    await this.foldDelegates([listed!]);
    return { status, body: html`${result}${shareesSection({ csrf: r.csrf, calendar: cal }, listed!, { oob: true })}${extra ?? ''}` };
  }
}

function mustOwn(cal: Calendar): void {
  if (!cal.owned) throw new UsageError(`"${inertLine(calendarName(cal))}" is shared with you; only its owner can change who has access`);
}

/** Every address in the form, split on commas (the email field takes several), validated here again. */
function emailsOf(form: URLSearchParams, orGroups = false): string[] {
  const all = form.getAll('email').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  if (all.length === 0 && orGroups && groupsOf(form).length) return [];
  if (all.length === 0) throw new UsageError('no e-mail address given', 'Type the address of the person to share with, e.g. bob@example.com.');
  return parseEmails(all);
}

/** Group names in the form (one per field: a group name may hold a comma); validated by the engine before any request. */
function groupsOf(form: URLSearchParams): string[] {
  return form.getAll('group').map((v) => v.trim()).filter(Boolean);
}

function levelOf(form: URLSearchParams): 'read' | 'edit' {
  const l = form.get('level');
  if (l === 'read' || l === 'edit') return l;
  throw new UsageError('choose view-only or edit', 'Pick one of the two access levels.');
}

type Action = (app: App, r: AppRequest, cal: Calendar) => Promise<Reply>;

const ACTIONS: Record<string, Action> = {
  async '/calendar/share'(app, r, cal) {
    mustOwn(cal);
    const level = levelOf(r.form);
    const typed = r.form.getAll('email').flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    const groups = groupsOf(r.form);
    if (typed.length === 0 && groups.length === 0) throw new UsageError('no e-mail address or group given', 'Type the address of the person to share with, e.g. bob@example.com.');
    // Every address checked before anything is sent; all problems named at once, the good
    // addresses kept in the field for another try (issue 16 §2). Groups are checked by the engine,
    // also before anything is sent (an unknown group: nothing shared).
    const { good, bad } = typed.length ? await checkPeople(app.session, await context(app.session), typed) : { good: [], bad: [] };
    if (bad.length) {
      const p = problem(
        new UsageError(
          `Nothing was shared. ${bad.length === 1 ? 'This address cannot be used' : `These ${bad.length} addresses cannot be used`}:\n${bad.map((b) => `• ${b.why}`).join('\n')}`,
          good.length ? `The good ones are kept in the field (${good.join(', ')}): fix or add the others and share again.` : 'Check the spelling; each person needs an account on this server.',
        ),
      );
      // The page's script puts the good addresses back into the field (data-keep).
      const body = html`${p.body}<p hidden data-keep="${good.join(', ')}"></p>`;
      return { status: p.status, body: r.htmx ? body : layout(calendarName(cal), r.csrf, app.who, await app.calendarView(r, cal, { result: body })) };
    }
    const emails = good;
    const o = await share(app.session, cal, emails, level, { groups }).catch(async (e) => {
      // Never delegates on its own: the refusal names the Delegates panel's whole-account alternative.
      throw await (await import('../delegation/advice.js')).withDelegationAdvice(app.session, e, emails, level);
    });
    const next = await shareeGuidance(app.session, o);
    return app.changed(r, o.calendar, resultBox(o, 'Shared', next), o.mismatches.length === 0);
  },
  /** One person's level, from the selector on their row: sent at once and read back. */
  async '/calendar/level'(app, r, cal) {
    mustOwn(cal);
    const o = await share(app.session, cal, emailsOf(r.form, true), levelOf(r.form), { groups: groupsOf(r.form) });
    return app.changed(r, o.calendar, resultBox(o, 'Access changed'), o.mismatches.length === 0);
  },
  /** One person's Remove button: no confirmation step (as in Nextcloud's and Apple's dialogs), read back. */
  async '/calendar/remove'(app, r, cal) {
    mustOwn(cal);
    const o = await unshare(app.session, cal, emailsOf(r.form, true), { groups: groupsOf(r.form) });
    return app.changed(r, o.calendar, resultBox(o, 'Removed access'), o.mismatches.length === 0);
  },
  async '/calendar/revoke'(app, r, cal) {
    mustOwn(cal);
    if (r.form.getAll('email').length === 0 && groupsOf(r.form).length === 0) throw new UsageError('no one selected', 'Tick the box in front of each person whose access you want to remove.');
    const confirm = confirmRevoke({ csrf: r.csrf, calendar: cal }, emailsOf(r.form, true), groupsOf(r.form));
    // The confirm step replaces any earlier result, so an old message is not read as this one's.
    if (r.htmx) return { status: 200, body: html`${confirm}<div id="result" aria-live="polite" hx-swap-oob="true"></div>` };
    return { status: 200, body: layout(calendarName(cal), r.csrf, app.who, await app.calendarView(r, cal, { confirm })) };
  },
  async '/calendar/revoke/confirm'(app, r, cal) {
    mustOwn(cal);
    const o = await unshare(app.session, cal, emailsOf(r.form, true), { groups: groupsOf(r.form) });
    return app.changed(r, o.calendar, resultBox(o, 'Removed access'), o.mismatches.length === 0);
  },
};
