// The assistant panel: sends a message to /v1/chat, streams the reply as it is written,
// and shows each tool the assistant ran with its arguments and result. The conversations
// kept on the server are listed under "Earlier conversations", to read and go on with, or
// to delete.

import { ApiError, get, request, stream } from './api.js';
import { confirmed } from './confirm.js';
import { $, h } from './dom.js';
import { formatDue } from './time.js';

let conversation = '';
let busy = null; // AbortController of the reply being streamed
let onTool = () => {};
let zone = () => 'UTC';
let listed = 0; // the latest listing of the conversations asked for; older answers are dropped
let opened = 0; // the same for the conversation being opened
let opening = ''; // the conversation being opened, until it is shown

/**
 * Makes the panel ready for a signed-in user, with a new conversation; onToolCall runs
 * after each tool call, and zone gives the user's time zone, in which the conversations'
 * times are shown.
 */
export function startChat({ onToolCall, zone: userZone }) {
  onTool = onToolCall || (() => {});
  if (userZone) zone = userZone;
  busy?.abort();
  conversation = '';
  opening = '';
  opened++;
  $('#chat-error').textContent = '';
  $('#chat-log').replaceChildren(h('p', { class: 'hint' }, 'Ask the assistant to add, find, change or complete tasks.'));
  $('#chat-history').value = '';
  $('#chat-delete').disabled = true;
  listConversations();
}

/** Forgets the conversation and stops a reply in progress. */
export function stopChat() {
  busy?.abort();
  conversation = '';
  opening = '';
  listed++;
  opened++;
  $('#chat-log').replaceChildren();
  $('#chat-history').replaceChildren(h('option', { value: '' }, 'New conversation'));
  $('#chat-earlier').hidden = true;
  $('#chat-error').textContent = '';
}

/** Lists the user's conversations, the latest active first, with the one shown chosen. */
async function listConversations() {
  const gen = ++listed;
  let page;
  try {
    page = await get('/v1/conversations?limit=50');
  } catch {
    return; // the panel works without the list (an API without the route, a passing fault)
  }
  if (gen !== listed) return;
  const select = $('#chat-history');
  select.replaceChildren(h('option', { value: '' }, 'New conversation'),
    ...page.items.map((c) => h('option', { value: c.id }, `${c.title} · ${formatDue(c.updated_at, zone())}`)));
  const shown = opening || conversation; // one being opened is the one chosen already
  select.value = page.items.some((c) => c.id === shown) ? shown : '';
  $('#chat-delete').disabled = !select.value;
  $('#chat-earlier').hidden = page.items.length === 0;
}

/**
 * Shows conversation id as it was kept, its latest 200 messages, each reply with the tools
 * it ran, and goes on with it.
 */
async function openConversation(id) {
  busy?.abort();
  const gen = ++opened;
  opening = id;
  $('#chat-error').textContent = '';
  let c;
  try {
    c = await get(`/v1/conversations/${encodeURIComponent(id)}/messages?limit=200`);
  } catch (err) {
    if (gen !== opened) return;
    opening = '';
    $('#chat-error').textContent = err instanceof ApiError && err.status === 404 ? 'That conversation is gone.' : err.message;
    listConversations();
    return;
  }
  if (gen !== opened) return;
  conversation = id;
  opening = '';
  $('#chat-history').value = id;
  $('#chat-delete').disabled = false;
  $('#chat-log').replaceChildren();
  if (c.next_cursor) $('#chat-log').append(h('p', { class: 'hint' }, 'Its earlier messages are not shown.'));
  const results = new Map(c.items.filter((m) => m.role === 'tool').map((m) => [m.tool_call_id, m.content]));
  let reply = null; // the reply the assistant's messages since the user's last one make up
  for (const m of c.items) {
    if (m.role === 'user') {
      bubble('user', m.content);
      reply = null;
    } else if (m.role === 'assistant') {
      if (!reply) {
        reply = bubble('assistant', '');
        reply.insertBefore(h('div', { class: 'tools' }), reply.querySelector('.text'));
      }
      for (const call of m.tool_calls || []) reply.querySelector('.tools').append(toolLine({ ...call, result: results.get(call.id) }));
      if (m.content) reply.querySelector('.text').textContent = m.content;
    }
  }
}

function bubble(role, text) {
  const el = h('div', { class: `msg msg-${role}` },
    h('p', { class: 'who' }, role === 'user' ? 'You' : 'Assistant'),
    h('p', { class: 'text' }, text));
  $('#chat-log').append(el);
  el.scrollIntoView({ block: 'end' });
  return el;
}

function toolLine(call) {
  let args = call.arguments;
  if (typeof args !== 'string') args = JSON.stringify(args);
  let result = call.result;
  if (typeof result !== 'string') result = JSON.stringify(result);
  return h('details', { class: 'tool' },
    h('summary', {}, `Ran ${call.name}`),
    h('p', {}, h('strong', {}, 'Arguments: '), h('code', {}, args || '{}')),
    h('p', {}, h('strong', {}, 'Result: '), h('code', {}, (result || '').slice(0, 2000))));
}

async function send(message) {
  bubble('user', message);
  const reply = bubble('assistant', '');
  const text = reply.querySelector('.text');
  reply.setAttribute('aria-busy', 'true');
  const tools = h('div', { class: 'tools' });
  reply.insertBefore(tools, text);
  busy = new AbortController();
  let got = '';
  let sawTool = false;
  try {
    await stream('POST', '/v1/chat', {
      body: conversation ? { conversation_id: conversation, message } : { message },
      signal: busy.signal,
      onEvent: (e) => {
        const data = JSON.parse(e.data);
        switch (e.event) {
          case 'delta':
            got += data.text || '';
            text.textContent = got;
            break;
          case 'tool_call':
            tools.append(toolLine(data));
            sawTool = true;
            onTool(data);
            break;
          case 'done':
            conversation = data.conversation_id || conversation;
            listConversations();
            text.textContent = data.response ?? got;
            if (!sawTool) for (const c of data.tool_calls || []) { tools.append(toolLine(c)); onTool(c); }
            break;
          case 'error':
            conversation = data.conversation_id || conversation; // the message is stored there
            listConversations();
            text.textContent = data.detail || data.title || 'The assistant failed.';
            reply.classList.add('msg-error');
            break;
        }
      },
    });
  } catch (err) {
    if (busy?.signal.aborted) return;
    if (err instanceof ApiError && err.problem.conversation_id) {
      conversation = err.problem.conversation_id; // the message is stored there
      listConversations();
    }
    const missing = err instanceof ApiError && (err.status === 404 || err.status === 405);
    text.textContent = missing ? 'The assistant is not available on this server.' : err.message;
    reply.classList.add('msg-error');
    // A message no conversation holds (the request failed before it was stored, or never
    // arrived) goes back into the box, unless something new was typed there: Enter sends
    // it again, and nothing typed is lost.
    const input = $('#chat-input');
    if (!err.problem?.conversation_id && !input.value) input.value = message;
  } finally {
    reply.removeAttribute('aria-busy');
    busy = null;
  }
}

$('#chat-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = $('#chat-input');
  const message = input.value.trim();
  if (!message || busy) return;
  input.value = '';
  const button = e.target.querySelector('button[type="submit"]');
  button.disabled = true;
  await send(message);
  button.disabled = false;
  input.focus();
});

$('#chat-input').addEventListener('keydown', (e) => {
  // Enter while an input method composes a word (Japanese, Chinese, …) picks the word.
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    $('#chat-form').requestSubmit();
  }
});

$('#chat-new').addEventListener('click', () => {
  startChat({ onToolCall: onTool });
  $('#chat-input').focus();
});

$('#chat-history').addEventListener('change', (e) => {
  if (e.target.value) openConversation(e.target.value);
  else startChat({ onToolCall: onTool });
});

$('#chat-delete').addEventListener('click', async (e) => {
  const id = conversation;
  if (!id || !confirmed(e, { text: 'Press again to delete', label: 'Press again to delete this conversation' })) return;
  try {
    await request('DELETE', `/v1/conversations/${encodeURIComponent(id)}`);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) { // gone already is what was asked
      $('#chat-error').textContent = err.message;
      return;
    }
  }
  if (conversation === id) startChat({ onToolCall: onTool });
  else listConversations();
});
