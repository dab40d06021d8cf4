import { formatMoney } from './money';

export interface CheckoutLineView {
  name: string;
  quantity: number;
  unitAmount: number;
  amount: number;
}

/** What the hosted page shows; built from the session by the routes, rendered here. */
export interface CheckoutView {
  sessionId: string;
  /** Absolute URL of this session's page; the forms post under it. */
  pageUrl: string;
  state: 'open' | 'complete' | 'expired' | 'missing' | 'cancelled';
  currency: string;
  lines: CheckoutLineView[];
  total: number;
  email: string | null;
  /** Shown above the order, e.g. the decline message. */
  alert?: string;
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1b1b1b;background:#fff;line-height:1.5}
.banner{background:#fff3bf;color:#3d2c00;border-bottom:3px solid #8a6d00;padding:.75rem 1rem;font-size:1.1rem;text-align:center}
.banner p{margin:0}
main{max-width:40rem;margin:0 auto;padding:1rem}
table{width:100%;border-collapse:collapse;margin:.5rem 0}
th,td{text-align:left;padding:.4rem;border-bottom:1px solid #767676}
td.num,th.num{text-align:right}
td.num{white-space:nowrap}
td:first-child{overflow-wrap:break-word;hyphens:auto}
@media (max-width:30rem){table{font-size:.9rem}th,td{padding:.4rem .2rem}}
.alert{background:#fde8e8;color:#7a1010;border-left:6px solid #b00020;padding:.75rem}
.status{background:#e8f0fe;color:#0b2d6b;border-left:6px solid #0b3d91;padding:.75rem}
.actions{display:flex;gap:.75rem;flex-wrap:wrap;margin-top:1rem}
button{font:inherit;font-weight:600;padding:.6rem 1.2rem;border-radius:4px;border:2px solid #0b3d91;background:#fff;color:#0b3d91;cursor:pointer}
button.primary{background:#0b3d91;color:#fff}
button.danger{border-color:#8a1c1c;color:#8a1c1c}
button:focus-visible{outline:3px solid #ffbf47;outline-offset:2px}
.hint{color:#3b3b3b;font-size:.95rem}`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function renderCheckoutPage(view: CheckoutView): string {
  const money = (amount: number) => escapeHtml(formatMoney(amount, view.currency));
  const title = view.state === 'open' ? `Pay ${money(view.total)}` : headingFor(view.state);
  return `<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — test payment (sandbox)</title>
<style>${STYLE}</style>
</head>
<body>
<header class="banner"><p role="note"><strong>TEST PAYMENT — sandbox, no real money is taken</strong></p></header>
<main>
<h1>${title}</h1>
${view.alert ? `<p class="alert" role="alert">${escapeHtml(view.alert)}</p>` : ''}
${view.state === 'open' ? '' : `<p class="status" role="status">${escapeHtml(statusMessage(view.state))}</p>`}
${view.state === 'missing' ? '' : renderOrder(view, money)}
${view.state === 'open' ? renderActions(view, money) : ''}
</main>
</body>
</html>
`;
}

function headingFor(state: CheckoutView['state']): string {
  switch (state) {
    case 'complete':
      return 'Payment complete';
    case 'expired':
      return 'Checkout session expired';
    case 'cancelled':
      return 'Payment cancelled';
    default:
      return 'Checkout session not found';
  }
}

function statusMessage(state: CheckoutView['state']): string {
  switch (state) {
    case 'complete':
      return 'This checkout session has already been completed. You cannot pay for it again.';
    case 'expired':
      return 'This checkout session has expired, so payment is no longer possible. Please start again from the booking page.';
    case 'cancelled':
      return 'You cancelled this payment. Nothing was charged.';
    default:
      return 'There is no checkout session at this address.';
  }
}

function renderOrder(view: CheckoutView, money: (amount: number) => string): string {
  const rows = view.lines
    .map(
      (line) =>
        `<tr><td>${escapeHtml(line.name)}</td><td class="num">${line.quantity}</td><td class="num">${money(line.unitAmount)}</td><td class="num">${money(line.amount)}</td></tr>`,
    )
    .join('\n');
  return `<section aria-labelledby="order-heading">
<h2 id="order-heading">Your order</h2>
<table>
<thead><tr><th scope="col">Item</th><th scope="col" class="num">Quantity</th><th scope="col" class="num">Unit price</th><th scope="col" class="num">Amount</th></tr></thead>
<tbody>
${rows}
</tbody>
<tfoot><tr><th scope="row" colspan="3">Total</th><td class="num"><strong>${money(view.total)}</strong></td></tr></tfoot>
</table>
</section>
<section aria-labelledby="payer-heading">
<h2 id="payer-heading">Payer</h2>
<dl><dt>Email</dt><dd>${view.email ? escapeHtml(view.email) : 'Not given (a test address will be used)'}</dd></dl>
</section>`;
}

/**
 * Plain forms, so the page works without JavaScript. Actions are absolute because the
 * page is also rendered at `…/decline`, where a relative action would resolve wrongly.
 */
function renderActions(view: CheckoutView, money: (amount: number) => string): string {
  const base = escapeHtml(view.pageUrl);
  return `<section aria-labelledby="pay-heading">
<h2 id="pay-heading">Payment</h2>
<p class="hint">No card details are needed: choose what the test card should do.</p>
<div class="actions">
<form method="post" action="${base}/pay"><button type="submit" class="primary">Pay ${money(view.total)}</button></form>
<form method="post" action="${base}/decline"><button type="submit" class="danger" aria-describedby="decline-hint">Decline</button></form>
<form method="post" action="${base}/cancel"><button type="submit">Cancel</button></form>
</div>
<p class="hint" id="decline-hint">Decline simulates a card the bank refuses; the session stays open so you can try again.</p>
</section>`;
}
