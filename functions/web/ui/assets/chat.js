// The assistant panel: sends a message to /v1/chat, streams the reply as it is written,
// and shows each tool the assistant ran with its arguments and result.

import { ApiError, stream } from './api.js';
import { $, h } from './dom.js';

let conversation = '';
let busy = null; // AbortController of the reply being streamed
let onTool = () => {};

/** Makes the panel ready for a signed-in user; onToolCall runs after each tool call. */
export function startChat({ onToolCall }) {
  onTool = onToolCall || (() => {});
  conversation = '';
  $('#chat-log').replaceChildren(h('p', { class: 'hint' }, 'Ask the assistant to add, find, change or complete tasks.'));
}

/** Forgets the conversation and stops a reply in progress. */
export function stopChat() {
  busy?.abort();
  conversation = '';
  $('#chat-log').replaceChildren();
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
            text.textContent = data.response ?? got;
            if (!sawTool) for (const c of data.tool_calls || []) { tools.append(toolLine(c)); onTool(c); }
            break;
          case 'error':
            conversation = data.conversation_id || conversation; // the message is stored there
            text.textContent = data.detail || data.title || 'The assistant failed.';
            reply.classList.add('msg-error');
            break;
        }
      },
    });
  } catch (err) {
    if (busy?.signal.aborted) return;
    if (err instanceof ApiError) conversation = err.problem.conversation_id || conversation;
    const missing = err instanceof ApiError && (err.status === 404 || err.status === 405);
    text.textContent = missing ? 'The assistant is not available on this server.' : err.message;
    reply.classList.add('msg-error');
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
  busy?.abort();
  startChat({ onToolCall: onTool });
  $('#chat-input').focus();
});
