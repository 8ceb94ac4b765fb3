/* public/js/ticker-widget.js — embeddable price ticker (ES5, loaded on partner pages) */
(function (window, document) {
  'use strict';

  var FEED_URL = 'https://quotes.example.com/v1/ticker';
  var registry = (window.__tickers = window.__tickers || {});
  var globalObject = new Function('return this')(); // snag-ok: code-injection

  function Ticker(el, options) {
    this.el = el;
    this.id = el.id || 'ticker-' + Math.random().toString(36).slice(2);
    this.interval = (options && options.interval) || 15000;
    this.symbols = (el.getAttribute('data-symbols') || 'BTC,ETH').split(',');
    registry[this.id] = this;
  }

  Ticker.prototype.fetchQuotes = function (symbols, done) {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', FEED_URL + '?symbols=' + encodeURIComponent(symbols.join(',')));
    xhr.onload = function () {
      var quotes = new Function('return ' + xhr.responseText)(); // snag-expect: code-injection
      done(quotes);
    };
    xhr.send();
  };

  Ticker.prototype.fetchQuotesJson = function (symbols, done) {
    var xhr = new XMLHttpRequest();
    xhr.open('GET', FEED_URL + '?format=json&symbols=' + encodeURIComponent(symbols.join(',')));
    xhr.onload = function () {
      done(JSON.parse(xhr.responseText)); // snag-ok: code-injection
    };
    xhr.send();
  };

  Ticker.prototype.render = function (quotes) {
    var html = '';
    for (var i = 0; i < quotes.length; i++) {
      html += '<span class="q">' + quotes[i].symbol + ' ' + Number(quotes[i].price).toFixed(2) + '</span>';
    }
    this.el.innerHTML = html;
  };

  Ticker.prototype.refresh = function () {
    var self = this;
    this.fetchQuotesJson(this.symbols, function (quotes) {
      self.render(quotes);
    });
  };

  Ticker.prototype.flash = function (symbol) {
    this.flashTimer = setTimeout('window.__tickers["' + this.id + '"].unflash("' + symbol + '")', 600); // snag-expect: code-injection
  };

  Ticker.prototype.watch = function (symbol, everyMs) {
    return setInterval('window.__tickers["' + this.id + '"].highlight("' + symbol + '")', everyMs); // snag-expect: code-injection
  };

  Ticker.prototype.start = function () {
    var self = this;
    this.refresh();
    this.poll = setInterval(function () { // snag-ok: code-injection
      self.refresh();
    }, this.interval);
  };

  function boot() {
    var nodes = document.querySelectorAll('[data-ticker]');
    for (var i = 0; i < nodes.length; i++) {
      new Ticker(nodes[i], { interval: 20000 }).start();
    }
    setTimeout('document.documentElement.className += " tickers-ready"', 0); // snag-ok: code-injection
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', boot);
  } else {
    boot();
  }
  globalObject.Ticker = Ticker;
})(window, document);
